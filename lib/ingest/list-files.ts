import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { errorMessage } from './decode.ts';
import { MinHeap } from './min-heap.ts';
import { comparePaths, type ListedFile, orderFiles, s3ObjectTime } from './order-files.ts';
import { periodOfDirectory } from './time-directory.ts';
import { DIGEST_SKIP_REASON, type IngestItem } from './types.ts';

type Skip = Extract<IngestItem, { kind: 'skip' }>;

/**
 * What a listing hands on, in replay order: the next file to read (with the delivery time its S3 object name
 * gives, when it has one), or skips found on the way.
 */
export type ListingEntry =
  | { kind: 'file'; file: ListedFile; delivered?: number }
  | { kind: 'skips'; skips: Skip[] };

/** What the paths on a command line expand to, produced as the replay goes (see {@link streamFiles}). */
export interface FileStream {
  entries: AsyncGenerator<ListingEntry>;
  /** Whether `-` (standard input) was among the paths: read after every file. */
  stdin: boolean;
}

/** The whole of a {@link FileStream} at once, for callers that want the list itself. */
export interface FileListing {
  /** Regular files to read, in replay order (see {@link orderFiles}). */
  files: ListedFile[];
  /** Paths that could not be listed and digest files, ordered by path; digests are quiet. */
  skips: Skip[];
  /** Whether `-` (standard input) was among the paths. */
  stdin: boolean;
}

/**
 * Expands paths into the files to read, in the order of {@link orderFiles}: by the time in their S3 object
 * name, then by path, files without one last. Directories are walked recursively (hidden entries and
 * anything not a regular file or directory ignored; symlinks followed, loops cut). Files under a
 * `CloudTrail-Digest` directory become quiet skips: digests hold hashes, not events, and sit next to the
 * logs in every `aws s3 sync` of `AWSLogs/`. A path named explicitly is read whatever it is, so `<(zcat …)`
 * and FIFOs work. The same file reached twice is listed once. Never throws.
 *
 * Months of logs are hundreds of thousands of files, so CloudTrail's year, month and day directories
 * (`…/YYYY/MM/DD/`) are not walked up front: each is opened when the replay reaches the start of its period
 * (`lib/ingest/time-directory.ts`). What is held at a time is a day's files and the directories not opened
 * yet, and the first file is read after a few directory reads rather than after all of them. Since
 * CloudTrail names every file after its delivery minute on its directory's day, the order is the same as
 * listing everything first; a file renamed to a time before its directory's period is read when that
 * directory is opened.
 */
export function streamFiles(paths: readonly string[]): FileStream {
  return { entries: listingEntries(paths), stdin: paths.includes('-') };
}

/** {@link streamFiles} collected: every file in replay order, and every skip ordered by path. */
export async function listFiles(paths: readonly string[]): Promise<FileListing> {
  const stream = streamFiles(paths);
  const files: ListedFile[] = [];
  const skips: Skip[] = [];
  for await (const entry of stream.entries) {
    if (entry.kind === 'file') files.push(entry.file);
    else skips.push(...entry.skips);
  }
  skips.sort((a, b) => comparePaths(a.origin.file, b.origin.file));
  return { files, skips, stdin: stream.stdin };
}

/** A year, month or day directory, opened when the replay reaches the start of its period. */
interface TimeDirectory {
  kind: 'directory';
  /** The start of its period (epoch ms): nothing in it was delivered earlier. */
  time: number;
  /** The path as reached (under the path the user gave), and resolved. */
  path: string;
  absolute: string;
}

/** A file whose S3 object name gives its delivery time. */
interface TimedFile {
  kind: 'file';
  time: number;
  file: ListedFile;
}

/**
 * By time; a directory before a file of the same time (the directory may hold files of that minute), then
 * by path: so a file is handed on only once every directory that could hold an earlier one has been opened.
 */
function compareQueued(a: TimeDirectory | TimedFile, b: TimeDirectory | TimedFile): number {
  if (a.time !== b.time) return a.time - b.time;
  if (a.kind !== b.kind) return a.kind === 'directory' ? -1 : 1;
  return comparePaths(absoluteOf(a), absoluteOf(b));
}

const absoluteOf = (queued: TimeDirectory | TimedFile) =>
  queued.kind === 'directory' ? queued.absolute : queued.file.absolute;

/** What one walk found. */
interface Found {
  files: Map<string, ListedFile>;
  skips: Map<string, Skip>;
  directories: TimeDirectory[];
}

const nothingFound = (): Found => ({ files: new Map(), skips: new Map(), directories: [] });

async function* listingEntries(paths: readonly string[]): AsyncGenerator<ListingEntry> {
  // Real paths of the directories walked, so a symlink back up the tree (or two paths to one
  // directory) is walked once.
  const visitedDirs = new Set<string>();
  const queue = new MinHeap<TimeDirectory | TimedFile>(compareQueued);
  const untimed: ListedFile[] = [];
  /** Queues what a walk found, leaving out files already queued, and gives its skips by path. */
  const enqueue = ({ files, skips, directories }: Found, queued: ReadonlySet<string>): Skip[] => {
    for (const [absolute, file] of files) {
      if (queued.has(absolute)) continue;
      const time = s3ObjectTime(absolute);
      if (time === undefined) untimed.push(file);
      else queue.push({ kind: 'file', time, file });
    }
    for (const directory of directories) queue.push(directory);
    return [...skips.entries()].sort(([a], [b]) => comparePaths(a, b)).map(([, skip]) => skip);
  };

  const named = nothingFound();
  for (const path of paths) if (path !== '-') await addPath(path, named, visitedDirs);
  const namedSkips = enqueue(named, new Set());
  if (namedSkips.length > 0) yield { kind: 'skips', skips: namedSkips };
  // Files named on their own or found outside time directories: usually a handful, held throughout, so
  // that one also met inside a time directory is listed once.
  const loose = new Set(named.files.keys());
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    if (next.kind === 'file') {
      yield { kind: 'file', file: next.file, delivered: next.time };
      continue;
    }
    const opened = nothingFound();
    await walk(next.path, opened, visitedDirs);
    const skips = enqueue(opened, loose);
    if (skips.length > 0) yield { kind: 'skips', skips };
  }
  for (const file of orderFiles(untimed)) yield { kind: 'file', file };
}

async function addPath(path: string, into: Found, visitedDirs: Set<string>): Promise<void> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) await addDirectory(path, path, into, visitedDirs);
    else addFile(path, into);
  } catch (error) {
    addSkip(path, `cannot read: ${errorMessage(error)}`, into);
  }
}

/**
 * A time directory is queued for its period; any other is walked now. `named` is the path that decides
 * which it is: the directory itself, or where a symlink to it leads.
 */
async function addDirectory(
  dir: string,
  named: string,
  into: Found,
  visitedDirs: Set<string>,
): Promise<void> {
  const time = periodOfDirectory(named) ?? periodOfDirectory(dir);
  if (time === undefined) await walk(dir, into, visitedDirs);
  else into.directories.push({ kind: 'directory', time, path: dir, absolute: resolve(dir) });
}

async function walk(dir: string, into: Found, visitedDirs: Set<string>): Promise<void> {
  let entries: Dirent[];
  try {
    // realpath first so a symlink back up the tree is seen as already visited.
    const real = await realpath(dir);
    if (visitedDirs.has(real)) return;
    visitedDirs.add(real);
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    addSkip(dir, `cannot read directory: ${errorMessage(error)}`, into);
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const child = join(dir, entry.name);
    if (entry.isDirectory()) await addDirectory(child, child, into, visitedDirs);
    else if (entry.isFile()) addFile(child, into);
    else if (entry.isSymbolicLink()) await addLink(child, into, visitedDirs);
  }
}

async function addLink(link: string, into: Found, visitedDirs: Set<string>): Promise<void> {
  try {
    const info = await stat(link);
    // A link to a time directory waits for that period too, so it is opened once with the directory itself.
    if (info.isDirectory()) await addDirectory(link, await realpath(link), into, visitedDirs);
    else if (info.isFile()) addFile(link, into);
  } catch {
    // A dangling link inside a walked tree is not something the user asked for by name: ignore it.
  }
}

function addFile(path: string, into: Found): void {
  const absolute = resolve(path);
  if (isDigest(absolute)) addSkip(path, DIGEST_SKIP_REASON, into, true);
  else if (!into.files.has(absolute)) into.files.set(absolute, { display: path, absolute });
}

function addSkip(path: string, reason: string, into: Found, quiet?: boolean): void {
  const key = resolve(path);
  if (into.skips.has(key)) return;
  const origin = { file: path };
  into.skips.set(key, quiet ? { kind: 'skip', origin, reason, quiet } : { kind: 'skip', origin, reason });
}

/** CloudTrail writes digests to `…/CloudTrail-Digest/<region>/YYYY/MM/DD/`; any ancestor with that name counts. */
function isDigest(absolute: string): boolean {
  return absolute.split(sep).slice(0, -1).includes('CloudTrail-Digest');
}
