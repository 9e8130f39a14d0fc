import { normalizeRecord } from '../events/normalize.ts';
import type { NormalizedEvent } from '../events/normalized-event.ts';
import type { IngestItem, RecordOrigin } from '../ingest/types.ts';
import type { DetectionEngine } from './detection-engine.ts';
import type { Finding } from './finding.ts';

export interface ReplayOptions {
  /** Only events at or after this time (epoch ms). */
  since?: number;
  /** Only events before this time (epoch ms). */
  until?: number;
  /** Events per engine batch (one state round trip per key per batch). */
  batchSize?: number;
  onFindings(findings: readonly Finding[]): void | Promise<void>;
  /** A record or file that was skipped, with why; not called for quiet skips (digest files). */
  onSkip?(origin: RecordOrigin, reason: string): void;
  /** Called after each batch. */
  onProgress?(stats: ReplayStats): void;
}

export interface ReplayStats {
  recordsRead: number;
  eventsJudged: number;
  outsideTimeRange: number;
  /** Skipped inputs by reason class (the text before the first `:` of the reason). */
  skipped: Map<string, number>;
  /** Inputs skipped quietly (CloudTrail digest files). */
  quietlySkipped: number;
  findings: number;
}

/** `ingest → normalize → engine`: judges every valid record; every bad one is counted and named. */
export async function replay(
  items: AsyncIterable<IngestItem>,
  engine: DetectionEngine,
  options: ReplayOptions,
): Promise<ReplayStats> {
  const stats: ReplayStats = {
    recordsRead: 0,
    eventsJudged: 0,
    outsideTimeRange: 0,
    skipped: new Map(),
    quietlySkipped: 0,
    findings: 0,
  };
  const batchSize = options.batchSize ?? 500;
  let batch: NormalizedEvent[] = [];

  const skip = (origin: RecordOrigin, reason: string) => {
    const reasonClass = reason.split(':')[0] ?? reason;
    stats.skipped.set(reasonClass, (stats.skipped.get(reasonClass) ?? 0) + 1);
    options.onSkip?.(origin, reason);
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const findings = await engine.process(batch);
    stats.eventsJudged += batch.length;
    batch = [];
    stats.findings += findings.length;
    if (findings.length > 0) await options.onFindings(findings);
    options.onProgress?.(stats);
  };

  for await (const item of items) {
    if (item.kind === 'skip') {
      if (item.quiet) stats.quietlySkipped++;
      else skip(item.origin, item.reason);
      continue;
    }
    stats.recordsRead++;
    const normalized = normalizeRecord(item.record);
    if (!normalized.ok) {
      skip(item.origin, normalized.reason);
      continue;
    }
    const { event } = normalized;
    if (
      (options.since !== undefined && event.time < options.since) ||
      (options.until !== undefined && event.time >= options.until)
    ) {
      stats.outsideTimeRange++;
      continue;
    }
    batch.push(event);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return stats;
}
