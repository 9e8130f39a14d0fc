import type { DeliveryReport } from '../alerts/alerting.ts';
import { DetectionEngine } from '../engine/detection-engine.ts';
import type { Finding } from '../engine/finding.ts';
import { normalizeRecord } from '../events/normalize.ts';
import type { NormalizedEvent } from '../events/normalized-event.ts';
import { unwrapValue } from '../ingest/unwrap.ts';
import type { Runtime } from './runtime.ts';

/** One event as a handler received it. */
export interface Inbound {
  /** What a failure is reported by: the SQS message id, or the EventBridge event id. */
  id: string;
  /** The EventBridge event, parsed. */
  event: unknown;
}

export interface JudgeResult {
  /** Inbound ids to retry (state or outbox trouble) or dead-letter (not a CloudTrail event). */
  failed: string[];
  findings: Finding[];
  /** Events that went through the engine. */
  judged: number;
}

interface Judged {
  inbound: string;
  event: NormalizedEvent;
}

const errorText = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** The CloudTrail record of an EventBridge event, normalized, or why there is none. */
function eventOf(value: unknown): { ok: true; event: NormalizedEvent } | { ok: false; reason: string } {
  const unwrapped = unwrapValue(value);
  const [first] = unwrapped;
  if (unwrapped.length !== 1 || first === undefined)
    return { ok: false, reason: 'not one EventBridge event' };
  if (first.kind === 'skip') return { ok: false, reason: first.reason };
  const normalized = normalizeRecord(first.record);
  return normalized.ok ? normalized : { ok: false, reason: normalized.reason };
}

/**
 * The detection path of both event handlers: unwrap and normalize each event, judge them all in ONE
 * engine batch (one state round trip per key for the whole batch), log every finding and send it to
 * alerting. An event that is not CloudTrail is failed (the queue or the on-failure destination keeps it
 * for inspection); if state or the outbox fails, every judged event is failed so it is delivered again.
 * Claims are confirmed only once alerting recorded the findings: until then the redelivered events
 * re-raise them under the same ids (the outbox sends each at most once per sink), so an outbox failure
 * never loses a finding.
 */
export async function judge(runtime: Runtime, inbound: readonly Inbound[]): Promise<JudgeResult> {
  const { logger } = runtime;
  const failed: string[] = [];
  const batch: Judged[] = [];
  for (const item of inbound) {
    const parsed = eventOf(item.event);
    if (parsed.ok) batch.push({ inbound: item.id, event: parsed.event });
    else {
      failed.push(item.id);
      logger.error('event rejected: not a CloudTrail record', { inboundId: item.id, reason: parsed.reason });
    }
  }
  if (batch.length === 0) return { failed, findings: [], judged: 0 };
  // The engine wants event-time order; SQS and retries do not keep it.
  batch.sort((a, b) => a.event.time - b.event.time);
  const retryAll = () => [...failed, ...batch.map((b) => b.inbound)];

  const engine = new DetectionEngine({
    detectors: runtime.detectors,
    config: runtime.config,
    state: runtime.state,
    now: runtime.now(),
  });
  let findings: Finding[];
  try {
    findings = await engine.process(batch.map((b) => b.event));
  } catch (error) {
    logger.error('state unavailable: events will be delivered again', {
      error: errorText(error),
      eventIds: batch.map((b) => b.event.id),
    });
    return { failed: retryAll(), findings: [], judged: 0 };
  }
  for (const [detector, failure] of engine.failures) {
    logger.error('detector failed', {
      detector,
      count: failure.count,
      error: failure.firstError,
      eventId: failure.firstEventId,
    });
  }
  for (const finding of findings) logger.info('finding', findingFields(finding));
  const summary = {
    events: batch.length,
    findings: findings.length,
    folded: sum(engine.folded),
    reraised: engine.reraised,
  };
  if (findings.length === 0) {
    await confirm(runtime, engine, findings);
    logger.debug('judged', summary);
    return { failed, findings, judged: batch.length };
  }
  try {
    const alerting = await runtime.alerting();
    logReport(runtime, await alerting.notify(findings), new Map(findings.map((f) => [f.id, f.eventIds])));
  } catch (error) {
    // Not recorded in the outbox: let the events come back. Their claims stay unconfirmed, so the
    // redelivery raises these findings again under the same ids.
    logger.error('alerts not recorded: the events will be delivered again', {
      error: errorText(error),
      findingIds: findings.map((f) => f.id),
    });
    return { failed: retryAll(), findings, judged: batch.length };
  }
  await confirm(runtime, engine, findings);
  logger.info('judged', summary);
  return { failed, findings, judged: batch.length };
}

/**
 * Confirms the claims once the findings are in the outbox (or nothing was to be sent). A failure here
 * loses nothing: the claims stay unconfirmed, so a later repeat re-raises the findings and the outbox,
 * which already has them, sends nothing twice. Failing the batch for it would only re-judge it.
 */
async function confirm(runtime: Runtime, engine: DetectionEngine, findings: readonly Finding[]) {
  try {
    await engine.confirm(findings);
  } catch (error) {
    runtime.logger.warn('claims not confirmed: a repeat will raise these findings again', {
      error: errorText(error),
      findingIds: findings.map((f) => f.id),
    });
  }
}

/** What a log line says about a finding (the summary is attacker text, but JSON logging escapes it). */
function findingFields(finding: Finding): Record<string, unknown> {
  return {
    findingId: finding.id,
    detector: finding.detector,
    severity: finding.severity,
    title: finding.title,
    summary: finding.summary,
    principal: finding.principal,
    account: finding.account,
    region: finding.region,
    pipeline: finding.pipeline,
    eventIds: finding.eventIds,
    count: finding.count,
  };
}

/**
 * One line per delivery: sent, not sent yet (it stays pending), or given up; with the finding's event ids
 * when the caller knows them (a flush only has the finding ids).
 */
export function logReport(
  { logger }: Pick<Runtime, 'logger'>,
  report: DeliveryReport,
  eventIds: ReadonlyMap<string, readonly string[]> = new Map(),
): void {
  const withEvents = <T extends { findingId: string }>(line: T) => {
    const ids = eventIds.get(line.findingId);
    return ids === undefined ? line : { ...line, eventIds: ids };
  };
  for (const failure of report.failed) {
    const level = failure.gaveUp ? 'error' : 'warn';
    logger[level](failure.gaveUp ? 'alert given up' : 'alert not delivered yet', withEvents(failure));
  }
  for (const sent of report.sent) logger.info('alert sent', withEvents(sent));
  if (report.pending > 0) logger.info('alerts pending', { pending: report.pending });
}

function sum(counts: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const n of counts.values()) total += n;
  return total;
}
