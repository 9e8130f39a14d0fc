import type { Command } from 'commander';
import { ConfigError, configJsonSchema, loadConfig } from '../../config/load-config.ts';
import { EXIT } from '../../errors.ts';
import { terminalSafe } from '../../output/terminal-safe.ts';
import { registerConfigSuggest } from './config-suggest.ts';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('check and document the config file');

  config
    .command('validate')
    .description('list every problem in a config file, with its path and line')
    .argument('<file>', 'the config file')
    .action(async (file: string) => {
      try {
        const resolved = await loadConfig(file);
        process.stderr.write(
          `${terminalSafe(file)}: valid (${resolved.inventory.pipelines.length} pipelines, ` +
            `${resolved.suppressions.length} suppressions)\n`,
        );
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        process.stderr.write(`${terminalSafe(error.describe())}\n`);
        process.exitCode = EXIT.usage;
      }
    });

  config
    .command('schema')
    .description('print the JSON Schema of the config file (for editor autocompletion)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    });

  registerConfigSuggest(config);
}
