import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { dayOfDirectory } from './day-directory.ts';
import { errorMessage } from './decode.ts';
import { FileQueue } from './file-queue.ts';
import { comparePaths, type ListedFile, orderFiles, type TimedFile, timedFile } from './order-files.ts';
import { DIGEST_SKIP_REASON, type IngestItem } from './types.ts';

type Skip = Extract<IngestItem, { kind: 'skip' }>;

/** What a listing hands on, in replay order: the next file to read, or skips found on the way. */
export type ListingEntry = { kind: 'file'; file: ListedFile } | { kind: 'skips'; skips: Skip[] };

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
 * Months of logs are hundreds of thousands of files, so CloudTrail's day directories (`…/YYYY/MM/DD/`) are
 * not listed up front: the walk stops at them, and each is listed when the replay reaches its day. What is
 * held at a time is one day's files, and the first file is read after a few directory reads rather than
 * after all of them. Since CloudTrail names every file after its delivery minute on its directory's day,
 * the order is the same as listing everything first; a file renamed to a time before its directory's day
 * is read when that directory's day comes up.
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

/** A CloudTrail day directory found by the walk, listed when the replay reaches its day. */
interface DayDirectory {
  /** UTC midnight of its day (epoch ms). */
  day: number;
  /** The path as reached (under the path the user gave), and resolved. */
  path: string;
  absolute: string;
}

/** What a walk collects. `days` is absent while a day directory itself is listed: everything below it is read. */
interface Found {
  files: Map<string, ListedFile>;
  skips: Map<string, Skip>;
  days?: DayDirectory[];
}

async function* listingEntries(paths: readonly string[]): AsyncGenerator<ListingEntry> {
  // Real paths of the directories walked, so a symlink back up the tree (or two paths to one
  // directory) is walked once.
  const visitedDirs = new Set<string>();
  const found: Found = { files: new Map(), skips: new Map(), days: [] };
  for (const path of paths) if (path !== '-') await addPath(path, found, visitedDirs);
  const skips = skipsByPath(found.skips);
  if (skips.length > 0) yield { kind: 'skips', skips };

  // Files named or found outside day directories: usually a handful, held throughout.
  const loose = new Set(found.files.keys());
  const queue = new FileQueue();
  const untimed: TimedFile[] = [];
  const enqueue = (item: TimedFile) => (item.time === undefined ? untimed.push(item) : queue.push(item));
  for (const file of found.files.values()) enqueue(timedFile(file));

  const days = (found.days ?? []).sort((a, b) => a.day - b.day || comparePaths(a.absolute, b.absolute));
  let next = 0;
  for (;;) {
    // Everything queued that is earlier than the next day directory's day goes first.
    const nextDay = days[next]?.day ?? Number.POSITIVE_INFINITY;
    for (
      let head = queue.peek();
      head !== undefined && (head.time as number) < nextDay;
      head = queue.peek()
    ) {
      queue.pop();
      yield { kind: 'file', file: head.file };
    }
    if (next >= days.length) break;
    const listed: Found = { files: new Map(), skips: new Map() };
    for (; next < days.length && (days[next] as DayDirectory).day === nextDay; next++) {
      await walk((days[next] as DayDirectory).path, listed, visitedDirs);
    }
    const daySkips = skipsByPath(listed.skips);
    if (daySkips.length > 0) yield { kind: 'skips', skips: daySkips };
    // A file also named on its own is already queued.
    for (const [absolute, file] of listed.files) if (!loose.has(absolute)) enqueue(timedFile(file));
  }
  for (const file of orderFiles(untimed.map(({ file }) => file))) yield { kind: 'file', file };
}

function skipsByPath(skips: ReadonlyMap<string, Skip>): Skip[] {
  return [...skips.entries()].sort(([a], [b]) => comparePaths(a, b)).map(([, skip]) => skip);
}

async function addPath(path: string, found: Found, visitedDirs: Set<string>): Promise<void> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) await addDirectory(path, found, visitedDirs);
    else addFile(path, found);
  } catch (error) {
    addSkip(path, `cannot read: ${errorMessage(error)}`, found);
  }
}

/** A day directory is put aside for its day (while the walk collects days); any other is walked now. */
async function addDirectory(dir: string, found: Found, visitedDirs: Set<string>): Promise<void> {
  const day = found.days === undefined ? undefined : dayOfDirectory(dir);
  if (day === undefined) await walk(dir, found, visitedDirs);
  else found.days?.push({ day, path: dir, absolute: resolve(dir) });
}

async function walk(dir: string, found: Found, visitedDirs: Set<string>): Promise<void> {
  let entries: Dirent[];
  try {
    // realpath first so a symlink back up the tree is seen as already visited.
    const real = await realpath(dir);
    if (visitedDirs.has(real)) return;
    visitedDirs.add(real);
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    addSkip(dir, `cannot read directory: ${errorMessage(error)}`, found);
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const child = join(dir, entry.name);
    if (entry.isDirectory()) await addDirectory(child, found, visitedDirs);
    else if (entry.isFile()) addFile(child, found);
    else if (entry.isSymbolicLink()) await addLink(child, found, visitedDirs);
  }
}

async function addLink(link: string, found: Found, visitedDirs: Set<string>): Promise<void> {
  try {
    const info = await stat(link);
    if (info.isDirectory()) {
      // A link to a day directory waits for that day too, so it is listed once with the directory itself.
      const day = found.days === undefined ? undefined : dayOfDirectory(await realpath(link));
      if (day === undefined) await addDirectory(link, found, visitedDirs);
      else found.days?.push({ day, path: link, absolute: resolve(link) });
    } else if (info.isFile()) addFile(link, found);
  } catch {
    // A dangling link inside a walked tree is not something the user asked for by name: ignore it.
  }
}

function addFile(path: string, found: Found): void {
  const absolute = resolve(path);
  if (isDigest(absolute)) addSkip(path, DIGEST_SKIP_REASON, found, true);
  else if (!found.files.has(absolute)) found.files.set(absolute, { display: path, absolute });
}

function addSkip(path: string, reason: string, found: Found, quiet?: boolean): void {
  const key = resolve(path);
  if (found.skips.has(key)) return;
  const origin = { file: path };
  found.skips.set(key, quiet ? { kind: 'skip', origin, reason, quiet } : { kind: 'skip', origin, reason });
}

/** CloudTrail writes digests to `…/CloudTrail-Digest/<region>/YYYY/MM/DD/`; any ancestor with that name counts. */
function isDigest(absolute: string): boolean {
  return absolute.split(sep).slice(0, -1).includes('CloudTrail-Digest');
}
