import type { Command } from 'commander';
import type { CliAlerting } from '../../alerts/cli-setup.ts';
import { loadConfig } from '../../config/load-config.ts';
import type { ResolvedConfig } from '../../config/resolved-config.ts';
import type { Finding } from '../../engine/finding.ts';
import { EXIT } from '../../errors.ts';

/**
 * `trailguard alerts flush` sends what earlier runs left pending in the outbox, and the helpers
 * `detect --notify` uses. The alerting modules (Slack and AWS SDKs) are loaded only when alerts are sent.
 */

interface OutboxOptions {
  state?: string;
  outbox?: string;
}

/** Opens alerting for the CLI; problems a user can fix (no sink, no token, a busy outbox) exit 2. */
export async function openCliAlerts(
  config: ResolvedConfig,
  options: OutboxOptions,
  requireSink: boolean,
  traceSources?: readonly string[],
): Promise<CliAlerting> {
  const { openCliAlerting } = await import('../../alerts/cli-setup.ts');
  return await openCliAlerting({
    config,
    state: options.state,
    outboxFile: options.outbox,
    // Stdin cannot be read again: the trace command then shows SOURCE.
    traceSources: traceSources?.includes('-') ? undefined : traceSources,
    requireSink,
  });
}

/**
 * `detect --notify`: sends the run's findings; when all of them went through, also retries what earlier
 * runs left pending. Returns whether every delivery succeeded.
 */
export async function notifyFindings(setup: CliAlerting, findings: readonly Finding[]): Promise<boolean> {
  const { formatDeliveryReport } = await import('../../alerts/cli-setup.ts');
  let report = await setup.alerting.notify(findings);
  if (report.failed.length === 0 && report.pending > 0) {
    const retried = await setup.alerting.flush();
    report = {
      sent: [...report.sent, ...retried.sent],
      failed: retried.failed,
      pending: retried.pending,
    };
  }
  process.stderr.write(`${formatDeliveryReport(report, setup)}\n`);
  return report.failed.length === 0;
}

interface FlushOptions extends OutboxOptions {
  config?: string;
}

async function runFlush(options: FlushOptions): Promise<number> {
  const config = await loadConfig(options.config);
  const setup = await openCliAlerts(config, options, false);
  try {
    const { formatDeliveryReport } = await import('../../alerts/cli-setup.ts');
    const report = await setup.alerting.flush();
    process.stderr.write(`${formatDeliveryReport(report, setup)}\n`);
    return report.failed.length === 0 ? EXIT.ok : EXIT.crash;
  } finally {
    await setup.close();
  }
}

export function registerAlerts(program: Command): void {
  const alerts = program
    .command('alerts')
    .description('the alert outbox: what detect --notify could not send yet');
  alerts
    .command('flush')
    .description(
      'send the alerts still pending in the outbox (each delivery tried once per run, given up after ' +
        'alerts.maxAttempts runs); exit 1 when any delivery failed',
    )
    .option('--state <store>', 'the outbox of "dynamodb:TABLE" (the state table detect and the Lambda use)')
    .option('--outbox <file>', 'the outbox file of local runs (default: .trailguard/outbox.jsonl)')
    .option('-c, --config <file>', 'config file (default: ./trailguard.yaml if present)')
    .action(async (options: FlushOptions) => {
      process.exitCode = await runFlush(options);
    });
}
