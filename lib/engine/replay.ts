import { normalizeRecord } from '../events/normalize.ts';
import type { NormalizedEvent } from '../events/normalized-event.ts';
import { claimIngestBatches } from '../ingest/read-cloudtrail.ts';
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

/** Records between turns of the event loop while a file is judged (a few per CloudTrail file). */
const YIELD_EVERY = 256;

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

  // Returns true when the batch is full and must be flushed before the next item.
  const take = (item: IngestItem): boolean => {
    if (item.kind === 'skip') {
      if (item.quiet) stats.quietlySkipped++;
      else skip(item.origin, item.reason);
      return false;
    }
    stats.recordsRead++;
    const normalized = normalizeRecord(item.record);
    if (!normalized.ok) {
      skip(item.origin, normalized.reason);
      return false;
    }
    const { event } = normalized;
    if (
      (options.since !== undefined && event.time < options.since) ||
      (options.until !== undefined && event.time >= options.until)
    ) {
      stats.outsideTimeRange++;
      return false;
    }
    batch.push(event);
    return batch.length >= batchSize;
  };

  // A stream from readCloudTrail is taken a file at a time: no await per record.
  const files = claimIngestBatches(items);
  if (files) {
    for await (const file of files) {
      for (let i = 0; i < file.length; i++) {
        if (take(file[i] as IngestItem)) await flush();
        // A turn of the event loop every so often: the reader's read-ahead of the next file (I/O, then
        // gunzip on the thread pool) only moves on when its callbacks get to run.
        if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  } else {
    for await (const item of items) if (take(item)) await flush();
  }
  await flush();
  return stats;
}
