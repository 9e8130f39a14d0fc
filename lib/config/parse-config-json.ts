import { ConfigError, issueProblem } from './config-error.ts';
import { configSchema } from './config-schema.ts';
import { type ResolvedConfig, resolveConfig } from './resolved-config.ts';

/**
 * Validates the JSON form of a config: what infra bundles next to each Lambda handler, converted from
 * trailguard.yaml and validated at synth, so the handlers carry no YAML parser. Throws `ConfigError` with
 * every problem's path (JSON has no line numbers worth giving: it is machine-written).
 */
export function parseConfigJson(text: string, file: string): ResolvedConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `not JSON: ${(error as Error).message}` }]);
  }
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    throw new ConfigError(
      file,
      result.error.issues.map((issue) => issueProblem(issue)),
    );
  }
  return resolveConfig(result.data, file);
}
