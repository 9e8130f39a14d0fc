import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { ConfigError } from '../config/config-error.ts';
import { configSchema } from '../config/config-schema.ts';
import { parseConfigJson } from '../config/parse-config-json.ts';
import { type ResolvedConfig, resolveConfig } from '../config/resolved-config.ts';
import { withDeployedSinks } from './deployed-sinks.ts';
import type { RuntimeSettings } from './environment.ts';

/**
 * The config a handler runs with: the file bundled with the code (the JSON form of the deploy's
 * trailguard.yaml, validated at synth already, so a failure here means a broken deployment), or the
 * defaults when none was deployed, with the deployed Slack channel and SNS topic filling in what it
 * leaves out. JSON rather than YAML: the handlers then carry no YAML parser (116 KB of every bundle).
 */
export async function loadRuntimeConfig(settings: RuntimeSettings): Promise<ResolvedConfig> {
  let config: ResolvedConfig;
  if (settings.configFile === undefined) config = resolveConfig(configSchema.parse({}), 'defaults');
  else {
    const file = isAbsolute(settings.configFile)
      ? settings.configFile
      : join(settings.codeDirectory, settings.configFile);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new ConfigError(file, [{ path: '', message: `cannot read: ${(error as Error).message}` }]);
    }
    config = parseConfigJson(text, file);
  }
  return withDeployedSinks(config, { slackChannel: settings.slackChannel, topicArn: settings.topicArn });
}
