import { fileURLToPath } from 'node:url';

/** The repository root: handlers, the lock file and the config paths are resolved against it. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
