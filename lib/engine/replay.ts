import { normalizeOrReason } from '../events/normalize.ts';
import type { NormalizedEvent } from '../events/normalized-event.ts';
import { claimIngestBatches } from '../ingest/read-cloudtrail.ts';
import { skipReasonClass } from '../ingest/skip-class.ts';
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
    const reasonClass = skipReasonClass(reason);
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

  // The reason a record is skipped, else whether the batch is now full and must be flushed before the next
  // record. `time` is the record's eventTime when ingestion parsed it already (else NaN).
  const takeRecord = (record: Record<string, unknown>, time: number): string | boolean => {
    stats.recordsRead++;
    const event = normalizeOrReason(record, time);
    if (typeof event === 'string') return event;
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
  const takeSkip = (item: Extract<IngestItem, { kind: 'skip' }>): void => {
    if (item.quiet) stats.quietlySkipped++;
    else skip(item.origin, item.reason);
  };

  // A stream from readCloudTrail is taken a file at a time: no await, item or origin object per record.
  const files = claimIngestBatches(items);
  if (files) {
    let taken = 0;
    for await (const source of files) {
      for (let record = source.next(); record !== undefined; record = source.next()) {
        const outcome = takeRecord(record, source.time);
        // The origin object is only made for a message.
        if (typeof outcome === 'string') skip(source.origin(), outcome);
        else if (outcome) await flush();
        // A turn of the event loop every so often: the reader's read-ahead of the next file (I/O, then
        // gunzip on the thread pool) only moves on when its callbacks get to run.
        if (++taken % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      // After the records: a file read lazily knows all its skips only once it has been read out.
      for (const item of source.skips) if (item.kind === 'skip') takeSkip(item);
    }
  } else {
    for await (const item of items) {
      if (item.kind === 'skip') takeSkip(item);
      else {
        const taken = takeRecord(item.record, Number.NaN);
        if (typeof taken === 'string') skip(item.origin, taken);
        else if (taken) await flush();
      }
    }
  }
  await flush();
  return stats;
}
