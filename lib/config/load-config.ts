import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import * as z from 'zod';
import { detectors } from '../../detectors/index.ts';
import { type ResolvedConfig, resolveConfig } from './resolved-config.ts';
import { buildConfigSchema } from './schema.ts';

// The config is parsed once per process (a CLI run, a Lambda cold start). zod's JIT compiles a fast path
// for each object schema on its first parse, which only pays off over many parses: without it the one
// parse takes about 4 ms less (12.7 against 16.9 ms, median of 8 cold processes).
z.config({ jitless: true });

/** The schema for the detectors trailguard ships. */
export const configSchema = buildConfigSchema(detectors);

/** The file used when `--config` is not given, if it exists. */
export const DEFAULT_CONFIG_FILE = 'trailguard.yaml';

/** One thing wrong with a config file: where (path and line, when known) and what. */
export interface ConfigProblem {
  path: string;
  line?: number;
  message: string;
}

/** A config file that cannot be used; lists every problem at once. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    this.name = 'ConfigError';
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

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`))
    .join('')
    .replace(/^\./, '');
}

/** Validates YAML text; throws `ConfigError` listing every problem with its path and line. */
export function parseConfigText(text: string, file: string): ResolvedConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((error) => ({
        path: '',
        line: lineCounter.linePos(error.pos[0]).line,
        message: `YAML syntax: ${error.message.split('\n')[0]}`,
      })),
    );
  }
  const raw = document.toJS() ?? {};
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      file,
      result.error.issues.map((issue) => problemOf(issue, document, lineCounter)),
    );
  }
  return resolveConfig(result.data, file);
}

function problemOf(
  issue: z.core.$ZodIssue,
  document: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
): ConfigProblem {
  // Point at the deepest node that exists: a missing key is reported on its parent.
  let line: number | undefined;
  for (let depth = issue.path.length; depth >= 0 && line === undefined; depth--) {
    const node = document.getIn(issue.path.slice(0, depth) as unknown[], true) as
      | { range?: [number] }
      | undefined;
    if (node?.range) line = lineCounter.linePos(node.range[0]).line;
  }
  const unknownKeys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
  return { path: formatPath(issue.path), line, message: `${issue.message}${unknownKeys}` };
}

/**
 * Loads the config: the given file, else `./trailguard.yaml` when present, else defaults that work on any
 * account. Throws `ConfigError` for an unreadable or invalid file.
 */
export async function loadConfig(file?: string): Promise<ResolvedConfig> {
  const path = file ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (path === undefined) return resolveConfig(configSchema.parse({}), 'defaults');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [{ path: '', message: `cannot read: ${(error as Error).message}` }]);
  }
  return parseConfigText(text, path);
}

/** The JSON Schema of the config file, for editors (`# yaml-language-server: $schema=…`). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    title: 'trailguard configuration',
    ...(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>),
  };
}
