import { isAbsolute, join } from 'node:path';
import { configSchema, loadConfig } from '../config/load-config.ts';
import { type ResolvedConfig, resolveConfig } from '../config/resolved-config.ts';
import { withDeployedSinks } from './deployed-sinks.ts';
import type { RuntimeSettings } from './environment.ts';

/**
 * The config a handler runs with: the file bundled with the code (validated at synth already, so a
 * failure here means a broken deployment), or the defaults when none was deployed, with the deployed
 * Slack channel and SNS topic filling in what it leaves out.
 */
export async function loadRuntimeConfig(settings: RuntimeSettings): Promise<ResolvedConfig> {
  let config: ResolvedConfig;
  if (settings.configFile === undefined) config = resolveConfig(configSchema.parse({}), 'defaults');
  else {
    const file = isAbsolute(settings.configFile)
      ? settings.configFile
      : join(settings.codeDirectory, settings.configFile);
    config = await loadConfig(file);
  }
  return withDeployedSinks(config, { slackChannel: settings.slackChannel, topicArn: settings.topicArn });
}
