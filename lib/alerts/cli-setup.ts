import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { WebClient } from '@slack/web-api';
import type { ResolvedConfig } from '../config/resolved-config.ts';
import { terminalSafe } from '../output/terminal-safe.ts';
import { createDynamoDbClient } from '../state/dynamodb-client.ts';
import { parseStateSpec } from '../state/open-state.ts';
import { type Alerting, createAlerting, type DeliveryReport } from './alerting.ts';
import { AlertSetupError, slackClientFromEnv } from './clients.ts';
import { DynamoDbOutbox } from './dynamodb-outbox.ts';
import { FileOutbox } from './file-outbox.ts';
import type { Outbox } from './outbox.ts';
import { parseSink, Router } from './routing.ts';

/**
 * What `detect --notify`, `alerts flush` and `digest --notify` share: checking that alerts can be sent
 * before any work is done, opening the outbox (the state table with `--state dynamodb:TABLE`, else a
 * JSON Lines file), and one stderr line per outcome worth reading.
 */

export const DEFAULT_OUTBOX_FILE = '.trailguard/outbox.jsonl';

export interface CliAlertingOptions {
  config: ResolvedConfig;
  /** `--state`: `memory` (default) or `dynamodb:TABLE`. */
  state?: string;
  /** `--outbox FILE` (only without DynamoDB state). */
  outboxFile?: string;
  traceSources?: readonly string[];
  /** Whether a configured sink is required (detect --notify) or pending deliveries are enough (flush). */
  requireSink: boolean;
}

export interface CliAlerting {
  alerting: Alerting;
  outbox: Outbox;
  /** `dynamodb:TABLE` or the outbox file. */
  label: string;
  /** The command that retries what is pending here. */
  flushCommand: string;
  close(): Promise<void>;
}

/** Throws AlertSetupError (a usage error for the CLI) when alerts cannot be sent as configured. */
export function checkAlertConfig(config: ResolvedConfig, requireSink: boolean): { slack?: WebClient } {
  const sinks = new Router(config.alerts).sinks;
  if (requireSink && sinks.length === 0) {
    throw new AlertSetupError(
      `--notify: no alert destination in ${terminalSafe(config.origin)}: set alerts.slack.channel and/or ` +
        'alerts.sns.topicArn (see README "Alerts")',
    );
  }
  const needsSlack = sinks.some((sink) => parseSink(sink)?.kind === 'slack') || config.alerts.digest?.channel;
  return needsSlack ? { slack: slackClientFromEnv() } : {};
}

export async function openCliAlerting(options: CliAlertingOptions): Promise<CliAlerting> {
  const { slack } = checkAlertConfig(options.config, options.requireSink);
  const spec = parseStateSpec(options.state ?? 'memory');
  if (spec.kind === 'dynamodb' && options.outboxFile !== undefined) {
    throw new AlertSetupError(
      '--outbox is for local runs: with --state dynamodb:TABLE the outbox is in the table',
    );
  }
  let outbox: Outbox;
  let label: string;
  let flushCommand: string;
  let client: DynamoDBClient | undefined;
  if (spec.kind === 'dynamodb') {
    client = createDynamoDbClient();
    outbox = new DynamoDbOutbox(client, spec.table);
    label = `dynamodb:${spec.table}`;
    flushCommand = `trailguard alerts flush --state ${label}`;
  } else {
    const file = new FileOutbox(options.outboxFile ?? DEFAULT_OUTBOX_FILE);
    await file.open();
    if (file.skippedLines > 0) {
      process.stderr.write(
        `trailguard: warning: outbox ${terminalSafe(file.path)}: ${file.skippedLines} unreadable line(s) dropped (a torn write)\n`,
      );
    }
    outbox = file;
    label = file.path;
    flushCommand = `trailguard alerts flush${file.path === DEFAULT_OUTBOX_FILE ? '' : ` --outbox ${file.path}`}`;
  }
  const alerting = createAlerting({
    config: options.config,
    outbox,
    slack,
    traceSources: options.traceSources,
    logger: (line) => {
      if (line.msg === 'alert given up') return; // formatDeliveryReport names each give-up.
      process.stderr.write(
        `trailguard: ${terminalSafe(String(line.msg))}: ${terminalSafe(JSON.stringify(line))}\n`,
      );
    },
  });
  return {
    alerting,
    outbox,
    label,
    flushCommand,
    async close() {
      await outbox.close?.();
      client?.destroy();
    },
  };
}

/** Stderr lines for a delivery report: counts per sink, each failure, each give-up, what is pending. */
export function formatDeliveryReport(
  report: DeliveryReport,
  setup: Pick<CliAlerting, 'label' | 'flushCommand'>,
): string {
  const perSink = new Map<string, number>();
  for (const { sink } of report.sent) perSink.set(sink, (perSink.get(sink) ?? 0) + 1);
  const sinks = [...perSink].map(([sink, n]) => `${sink} ${n}`).join(', ');
  const lines = [
    `trailguard: alerts: ${report.sent.length} sent${sinks ? ` (${sinks})` : ''}, ` +
      `${report.failed.length} failed, ${report.pending} pending in ${setup.label}`,
  ];
  for (const failure of report.failed) {
    const what = `alert ${failure.findingId} to ${failure.sink}`;
    lines.push(
      failure.gaveUp
        ? `trailguard: error: ${what} given up after ${failure.attempts} attempts: ${failure.error}`
        : `trailguard: warning: ${what} failed${failure.attempts ? ` (attempt ${failure.attempts})` : ''}: ${failure.error}`,
    );
  }
  if (report.pending > 0)
    lines.push(`trailguard: ${report.pending} alert(s) pending: "${setup.flushCommand}" retries them`);
  return lines.map(terminalSafe).join('\n');
}
