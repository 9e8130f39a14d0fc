import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import * as z from 'zod';
import { ConfigError, type ConfigProblem, issueProblem } from './config-error.ts';
import { configSchema } from './config-schema.ts';
import { type ResolvedConfig, resolveConfig } from './resolved-config.ts';

// Defined in YAML-free modules, which the Lambda handlers import directly (lib/config/parse-config-json.ts).
export { ConfigError, type ConfigProblem, configSchema };

/** The file used when `--config` is not given, if it exists. */
export const DEFAULT_CONFIG_FILE = 'trailguard.yaml';

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
  return issueProblem(issue, line);
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
