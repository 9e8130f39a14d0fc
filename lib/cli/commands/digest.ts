import type { Command } from 'commander';
import { buildDigest, digestWindow } from '../../alerts/digest.ts';
import { digestTable } from '../../alerts/digest-render.ts';
import { parseDuration } from '../../config/duration.ts';
import type { ResolvedConfig } from '../../config/resolved-config.ts';
import { EXIT } from '../../errors.ts';
import { terminalSafe } from '../../output/terminal-safe.ts';
import { deniedQuery } from '../../queries/denied-query.ts';
import { prepareRun } from '../../queries/prepare-run.ts';
import { UsageError } from '../usage-error.ts';

/**
 * `trailguard digest`: the AccessDenied trend for security — top principals and actions over the last
 * period against the one before, with a sparkline per principal — on the terminal and, with `--notify`,
 * in Slack. The counting is `query denied`'s, over the last two periods of the same sources.
 */

interface DigestOptions {
  since: string;
  config?: string;
  notify?: boolean;
  now?: string;
  top: string;
  region?: string;
  timeout: string;
}

async function runDigest(sources: string[], options: DigestOptions): Promise<number> {
  const periodMs = parseDuration(options.since);
  if (periodMs === undefined || periodMs < 60_000 || periodMs % 60_000 !== 0) {
    throw new UsageError(
      `--since "${terminalSafe(options.since)}" is not a duration of whole minutes (7d, 24h, 90m)`,
    );
  }
  const top = Number(options.top);
  if (!Number.isInteger(top) || top < 1 || top > 100)
    throw new UsageError(`--top "${terminalSafe(options.top)}" is not 1 to 100`);
  const now = options.now === undefined ? Date.now() : Date.parse(options.now);
  if (Number.isNaN(now))
    throw new UsageError(`--now "${terminalSafe(options.now ?? '')}" is not an ISO time`);
  const window = digestWindow(now, periodMs);
  const run = await prepareRun(sources, {
    since: new Date(window.end - 2 * periodMs).toISOString(),
    until: new Date(window.end).toISOString(),
    timeout: options.timeout,
    region: options.region,
    now: new Date(now).toISOString(),
    config: options.config,
  });
  // Checked before reading: a digest that cannot be posted should fail before the slow part.
  const post = options.notify ? await digestPoster(run.config) : undefined;
  const result = await deniedQuery.run({ binMs: window.binMs }, { config: run.config }, run.opened.source);
  run.finish(result.rows.length, result.notes);
  const digest = buildDigest(result.rows, window, top);
  process.stdout.write(`${digestTable(digest)}\n`);
  if (post) await post(digest);
  return EXIT.ok;
}

/** Checks the digest channel and token now, and returns what posts the digest later. */
async function digestPoster(config: ResolvedConfig) {
  const channel = config.alerts.digest?.channel ?? config.alerts.slack?.channel;
  if (channel === undefined) {
    throw new UsageError(
      `--notify: no Slack channel for the digest in ${terminalSafe(config.origin)}: set alerts.digest.channel or alerts.slack.channel`,
    );
  }
  const { slackClientFromEnv } = await import('../../alerts/clients.ts');
  const client = slackClientFromEnv();
  const { SlackSender } = await import('../../alerts/slack-sender.ts');
  const { digestMessage } = await import('../../alerts/digest-render.ts');
  const sender = new SlackSender(client, {
    now: Date.now,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  });
  return async (digest: Parameters<typeof digestMessage>[0]) => {
    await sender.post(channel, digestMessage(digest));
    process.stderr.write(`trailguard: digest posted to slack:${channel}\n`);
  };
}

export function registerDigest(program: Command): void {
  program
    .command('digest')
    .description(
      'the AccessDenied trend for security: top principals and actions against the previous period, ' +
        'with a sparkline per principal; --notify posts it to Slack',
    )
    .argument('<sources...>', 'files or directories ("-" for stdin), or logs:LOG_GROUP')
    .option(
      '--since <duration>',
      'the period (whole minutes: 7d, 24h, 90m), compared with the one before',
      '7d',
    )
    .option('-c, --config <file>', 'config file (default: ./trailguard.yaml if present)')
    .option(
      '--notify',
      'also post the digest to alerts.digest.channel (else alerts.slack.channel); SLACK_BOT_TOKEN',
    )
    .option('--top <n>', 'principals and actions listed', '10')
    .option('--now <time>', 'the end of the period (ISO time; for tests and replays)')
    .option('--region <region>', 'AWS region of the log group (default: the standard AWS chain)')
    .option('--timeout <duration>', 'give up on Logs Insights after this long', '10m')
    .action(async (sources: string[], options: DigestOptions) => {
      process.exitCode = await runDigest(sources, options);
    });
}
