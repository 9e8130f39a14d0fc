import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { errorMessage } from './decode.ts';
import { comparePaths, type ListedFile, orderFiles } from './order-files.ts';
import { DIGEST_SKIP_REASON, type IngestItem } from './types.ts';

/** What the paths on a command line expand to. */
export interface FileListing {
  /** Regular files to read, in replay order (see {@link orderFiles}). */
  files: ListedFile[];
  /** Paths that could not be listed and digest files, ordered by path; digests are quiet. */
  skips: IngestItem[];
  /** Whether `-` (standard input) was among the paths. */
  stdin: boolean;
}

/**
 * Expands paths into the files to read. Directories are walked recursively (hidden entries and
 * anything not a regular file or directory ignored; symlinks followed, loops cut). Files under a
 * `CloudTrail-Digest` directory become quiet skips: digests hold hashes, not events, and sit next to
 * the logs in every `aws s3 sync` of `AWSLogs/`. A path named explicitly is read whatever it is, so
 * `<(zcat …)` and FIFOs work. The same file reached twice is listed once. Never throws.
 */
export async function listFiles(paths: readonly string[]): Promise<FileListing> {
  const state: ListState = { files: new Map(), skips: new Map(), visitedDirs: new Set() };
  let stdin = false;
  for (const path of paths) {
    if (path === '-') stdin = true;
    else await addPath(path, state);
  }
  const skips = [...state.skips.entries()].sort(([a], [b]) => comparePaths(a, b)).map(([, skip]) => skip);
  return { files: orderFiles([...state.files.values()]), skips, stdin };
}

interface ListState {
  files: Map<string, ListedFile>;
  skips: Map<string, IngestItem>;
  visitedDirs: Set<string>;
}

async function addPath(path: string, state: ListState): Promise<void> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) await walk(path, state);
    else addFile(path, state);
  } catch (error) {
    addSkip(path, `cannot read: ${errorMessage(error)}`, state);
  }
}

async function walk(dir: string, state: ListState): Promise<void> {
  let entries: Dirent[];
  try {
    // realpath first so a symlink back up the tree is seen as already visited.
    const real = await realpath(dir);
    if (state.visitedDirs.has(real)) return;
    state.visitedDirs.add(real);
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    addSkip(dir, `cannot read directory: ${errorMessage(error)}`, state);
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const child = join(dir, entry.name);
    if (entry.isDirectory()) await walk(child, state);
    else if (entry.isFile()) addFile(child, state);
    else if (entry.isSymbolicLink()) await addLink(child, state);
  }
}

async function addLink(link: string, state: ListState): Promise<void> {
  try {
    const info = await stat(link);
    if (info.isDirectory()) await walk(link, state);
    else if (info.isFile()) addFile(link, state);
  } catch {
    // A dangling link inside a walked tree is not something the user asked for by name: ignore it.
  }
}

function addFile(path: string, state: ListState): void {
  const absolute = resolve(path);
  if (isDigest(absolute)) addSkip(path, DIGEST_SKIP_REASON, state, true);
  else if (!state.files.has(absolute)) state.files.set(absolute, { display: path, absolute });
}

function addSkip(path: string, reason: string, state: ListState, quiet?: boolean): void {
  const key = resolve(path);
  if (state.skips.has(key)) return;
  const origin = { file: path };
  state.skips.set(key, quiet ? { kind: 'skip', origin, reason, quiet } : { kind: 'skip', origin, reason });
}

/** CloudTrail writes digests to `…/CloudTrail-Digest/<region>/YYYY/MM/DD/`; any ancestor with that name counts. */
function isDigest(absolute: string): boolean {
  return absolute.split(sep).slice(0, -1).includes('CloudTrail-Digest');
}
