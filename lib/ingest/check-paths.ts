import { stat } from 'node:fs/promises';

/**
 * The paths that do not exist (or whose parent is not a directory), in the order given, so the CLI can
 * refuse a typo before starting a long replay. `-` (stdin) always exists. A path that exists but cannot
 * be read is not missing: reading it reports why.
 */
export async function findMissingPaths(paths: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const path of paths) {
    if (path === '-') continue;
    try {
      await stat(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') missing.push(path);
    }
  }
  return missing;
}
