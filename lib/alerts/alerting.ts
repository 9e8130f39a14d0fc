import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { WebClient } from '@slack/web-api';
import type { ResolvedConfig } from '../config/resolved-config.ts';
import type { Finding } from '../engine/finding.ts';
import { mapLimit } from '../state/map-limit.ts';
import { redactTokens, slackClientFromEnv, snsClientFromEnv } from './clients.ts';
import { groupByPrincipal } from './grouping.ts';
import type { Delivery, Outbox, PendingDelivery } from './outbox.ts';
import { parseSink, Router } from './routing.ts';
import { groupMessage } from './slack-message.ts';
import { SlackSender } from './slack-sender.ts';
import { publishInput } from './sns-message.ts';

/**
 * Alerting: routes findings to sinks, records every delivery in the outbox before sending, sends, and
 * marks each delivery once its sink has it. Slack and SNS are delivered side by side, so one failing never
 * holds up the other; Slack posts are grouped per principal per minute and paced per channel.
 *
 * Guarantees: nothing routed is lost (it stays pending until sent, or given up after `alerts.maxAttempts`
 * attempts once `alerts.retryFor` has passed, which is logged as an error); nothing is sent to the same
 * sink twice, except when the process dies after the sink accepted a message and before `markSent` was
 * stored — then `flush` sends it once more.
 */

export interface AlertingOptions {
  config: ResolvedConfig;
  outbox: Outbox;
  /** Default: a client from SLACK_BOT_TOKEN / SLACK_API_URL, made when Slack is first needed. */
  slack?: WebClient;
  /** Default: a client from the standard AWS chain (AWS_ENDPOINT_URL_SNS included). */
  sns?: SNSClient;
  /** Wall clock, epoch ms. */
  now?: () => number;
  /** One structured line per event worth keeping (give-ups, outbox trouble); default JSON on stderr. */
  logger?: (line: Record<string, unknown>) => void;
  /** Waits for Slack pacing and Retry-After; tests pass a fake clock's. */
  sleep?: (ms: number) => Promise<void>;
  /** SOURCE for the trace command in Slack messages when `alerts.traceSource` is not set (detect's paths). */
  traceSources?: readonly string[];
}

export interface DeliveryReport {
  sent: { findingId: string; sink: string }[];
  failed: { findingId: string; sink: string; error: string; attempts?: number; gaveUp?: boolean }[];
  /** Deliveries still pending in the outbox after this call. */
  pending: number;
}

export interface Alerting {
  /** Routes, records and sends these findings. */
  notify(findings: readonly Finding[]): Promise<DeliveryReport>;
  /** Sends what is pending (up to FLUSH_LIMIT deliveries, each attempted at most once per call). */
  flush(): Promise<DeliveryReport>;
}

/** How long `begin` holds a delivery: longer than one post with its retries and Retry-After waits. */
export const LEASE_MS = 5 * 60_000;
export const FLUSH_LIMIT = 500;
const SNS_PARALLEL = 4;
const MAX_ERROR_CHARS = 500;

const defaultLogger = (line: Record<string, unknown>) => process.stderr.write(`${JSON.stringify(line)}\n`);
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function describeError(error: unknown): string {
  const e = (error ?? {}) as {
    message?: string;
    name?: string;
    data?: { error?: string };
    statusCode?: number;
  };
  let text = e.message ?? String(error);
  if (e.data?.error && !text.includes(e.data.error)) text += ` (${e.data.error})`;
  if (e.name && e.name !== 'Error' && !text.startsWith(e.name)) text = `${e.name}: ${text}`;
  return redactTokens(text).slice(0, MAX_ERROR_CHARS);
}

/** A failure of the outbox itself: the sink stops for this call, deliveries stay as the outbox last had them. */
class OutboxFailure extends Error {}

export function createAlerting(options: AlertingOptions): Alerting {
  const { config, outbox } = options;
  const alerts = config.alerts;
  const router = new Router(alerts);
  const now = options.now ?? Date.now;
  const log = options.logger ?? defaultLogger;
  const sleep = options.sleep ?? realSleep;
  const traceSources = alerts.traceSource ? [alerts.traceSource] : options.traceSources;
  let slack: SlackSender | undefined;
  let sns = options.sns;

  const slackSender = () => {
    slack ??= new SlackSender(options.slack ?? slackClientFromEnv(), { now, sleep });
    return slack;
  };
  const snsClient = () => {
    sns ??= snsClientFromEnv();
    return sns;
  };

  async function guarded<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new OutboxFailure(describeError(error));
    }
  }

  /** One message (a Slack group, or one SNS publish) for `batch`: begin, send, mark. */
  async function sendBatch(
    batch: readonly PendingDelivery[],
    send: (findings: Finding[]) => Promise<void>,
    report: DeliveryReport,
  ): Promise<void> {
    const begun: { delivery: PendingDelivery; attempts: number }[] = [];
    for (const delivery of batch) {
      const attempt = await guarded(() => outbox.begin(delivery, now(), LEASE_MS));
      if (attempt) begun.push({ delivery, attempts: attempt.attempts });
    }
    if (begun.length === 0) return;
    try {
      await send(begun.map((b) => b.delivery.finding));
    } catch (error) {
      const message = describeError(error);
      for (const { delivery, attempts } of begun) {
        // Both: a burst of quick failures must not give up within minutes, nor a single slow one early.
        const gaveUp = attempts >= alerts.maxAttempts && now() - delivery.createdAt >= alerts.retryFor;
        await guarded(() => outbox.markFailed(delivery, message, gaveUp, now()));
        const { findingId, sink } = delivery;
        report.failed.push({ findingId, sink, error: message, attempts, gaveUp });
        if (gaveUp) log({ level: 'error', msg: 'alert given up', findingId, sink, attempts, error: message });
      }
      return;
    }
    for (const { delivery } of begun) {
      await guarded(() => outbox.markSent(delivery, now()));
      report.sent.push({ findingId: delivery.findingId, sink: delivery.sink });
    }
  }

  async function deliverToSink(sink: string, list: PendingDelivery[], report: DeliveryReport): Promise<void> {
    const parsed = parseSink(sink);
    try {
      if (parsed?.kind === 'slack') {
        const sender = slackSender();
        for (const group of groupByPrincipal(list)) {
          // A long Retry-After: leave the rest pending for a later flush rather than press on.
          if (sender.blocked(parsed.target)) {
            log({ level: 'warn', msg: 'slack rate limited: the rest stays pending', sink });
            break;
          }
          await sendBatch(
            group,
            (findings) => sender.post(parsed.target, groupMessage(findings, { traceSources })),
            report,
          );
        }
      } else if (parsed?.kind === 'sns') {
        const client = snsClient();
        await mapLimit(list, SNS_PARALLEL, (delivery) =>
          sendBatch(
            [delivery],
            async ([finding]) => {
              await client.send(new PublishCommand(publishInput(parsed.target, finding as Finding)));
            },
            report,
          ),
        );
      } else {
        throw new Error(`unknown sink "${sink}" (expected slack:CHANNEL or sns:TOPIC_ARN)`);
      }
    } catch (error) {
      // Setup (no token), an unknown sink, or the outbox failing: nothing more goes to this sink now.
      const message = error instanceof OutboxFailure ? `outbox: ${error.message}` : describeError(error);
      const done = new Set(
        [...report.sent, ...report.failed].filter((d) => d.sink === sink).map((d) => d.findingId),
      );
      for (const { findingId } of list) {
        if (!done.has(findingId)) report.failed.push({ findingId, sink, error: message });
      }
      log({ level: 'error', msg: 'alert sink stopped', sink, error: message });
    }
  }

  async function deliver(list: readonly PendingDelivery[]): Promise<DeliveryReport> {
    const report: DeliveryReport = { sent: [], failed: [], pending: 0 };
    const bySink = new Map<string, PendingDelivery[]>();
    for (const delivery of list) {
      const entries = bySink.get(delivery.sink) ?? [];
      entries.push(delivery);
      bySink.set(delivery.sink, entries);
    }
    await Promise.all([...bySink].map(([sink, entries]) => deliverToSink(sink, entries, report)));
    report.pending = await outbox.countPending();
    return report;
  }

  return {
    async notify(findings) {
      const deliveries: Delivery[] = findings.flatMap((finding) =>
        router.sinksFor(finding).map((sink) => ({ findingId: finding.id, sink, finding })),
      );
      if (deliveries.length === 0) return { sent: [], failed: [], pending: await outbox.countPending() };
      const createdAt = now();
      // Recorded before anything is sent: from here on a crash leaves them pending, never lost.
      await outbox.record(deliveries, createdAt);
      // A huge batch (a month of logs replayed) is sent FLUSH_LIMIT at a time: the rest stays pending.
      return deliver(deliveries.slice(0, FLUSH_LIMIT).map((d) => ({ ...d, createdAt })));
    },
    async flush() {
      return deliver(await outbox.pending(FLUSH_LIMIT));
    },
  };
}
