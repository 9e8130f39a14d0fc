import type { Command } from 'commander';
import { EXIT } from '../../errors.ts';
import { oidcQuery } from '../../queries/oidc-query.ts';
import { prepareRun, type SourceCliOptions } from '../../queries/prepare-run.ts';
import { suggestionYaml, suggestPipelines } from '../../queries/suggest-pipelines.ts';
import { addSourceOptions } from './query.ts';

/**
 * `trailguard config suggest SOURCE...`: a starting `pipelines:` inventory (YAML on stdout) written from
 * the OIDC assumptions the logs show — the `oidc` query's rows, local or through Logs Insights.
 */
export function registerConfigSuggest(config: Command): void {
  addSourceOptions(
    config
      .command('suggest')
      .description('write a starting pipelines: inventory from the OIDC role assumptions in the logs')
      .argument('<sources...>', 'files or directories ("-" for stdin), or logs:LOG_GROUP'),
  ).action(async (sources: string[], options: SourceCliOptions) => {
    const run = await prepareRun(sources, options);
    const result = await oidcQuery.run({}, { config: run.config }, run.opened.source);
    const suggestion = suggestPipelines(result.rows);
    const assumptions = result.rows.reduce(
      (n, r) => n + Number(r.successes) + Number(r.denials) + Number(r.errors),
      0,
    );
    const header = [
      `Suggested by trailguard config suggest from ${assumptions} OIDC role assumptions in ${sources.join(' ')}.`,
      'A starting point: review every pipeline (kind, environment, subjects) before relying on it,',
      'then check it with: trailguard config validate FILE',
    ];
    process.stdout.write(suggestionYaml(suggestion, header));
    run.finish(suggestion.pipelines.length, result.notes);
    process.exitCode = EXIT.ok;
  });
}
