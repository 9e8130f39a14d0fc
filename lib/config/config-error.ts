import type * as z from 'zod';
import { EXIT, TrailguardError } from '../errors.ts';
import { terminalSafe } from '../output/terminal-safe.ts';

/** One thing wrong with a config file: where (path and line, when known) and what. */
export interface ConfigProblem {
  path: string;
  line?: number;
  message: string;
}

/** A config file that cannot be used; lists every problem at once. */
export class ConfigError extends TrailguardError {
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`, EXIT.usage);
    this.name = 'ConfigError';
  }

  override explain(): string {
    return `invalid config\n${terminalSafe(this.describe())}`;
  }

  /** One line per problem: `file:line: path: message`. */
  describe(): string {
    return this.problems
      .map(
        (p) => `${this.file}${p.line === undefined ? '' : `:${p.line}`}: ${p.path || '(root)'}: ${p.message}`,
      )
      .join('\n');
  }
}

/** A schema issue as a problem: its path as the config is written, and the keys it did not know. */
export function issueProblem(issue: z.core.$ZodIssue, line?: number): ConfigProblem {
  const unknownKeys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
  return { path: formatPath(issue.path), line, message: `${issue.message}${unknownKeys}` };
}

/** A zod issue path as the config is written: `detectors.access-denied-spike.threshold`, `pipelines[0]`. */
function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`))
    .join('')
    .replace(/^\./, '');
}
