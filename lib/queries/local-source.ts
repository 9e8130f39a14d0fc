import { normalizeRecord } from '../events/normalize.ts';
import { readCloudTrail } from '../ingest/read-cloudtrail.ts';
import { skipReasonClass } from '../ingest/skip-class.ts';
import type { RecordOrigin } from '../ingest/types.ts';
import type { EventSource, InsightsQuery, Observation } from './query-types.ts';

/**
 * Local files, directories and stdin through the same ingest and normalizer as `detect`: one file in
 * memory at a time, each event handed on and dropped, so a query's memory is its aggregation, not the
 * trail. The Insights text is not used here: each query's aggregation applies the exact test.
 */

export interface LocalSourceOptions {
  paths: readonly string[];
  /** Only events at or after this time (epoch ms). */
  since?: number;
  /** Only events before this time (epoch ms). */
  until?: number;
  stdin?: NodeJS.ReadableStream;
  /** Bad input, reported on the first pass only (later passes read the same files). */
  onSkip?(origin: RecordOrigin, reason: string): void;
  onProgress?(files: number, records: number): void;
}

/** What the first pass read (later passes read the same input and are not counted again). */
export interface LocalStats {
  files: number;
  /** S3 log files not read: delivered before `since`. */
  earlierFiles: number;
  bytes: number;
  recordsRead: number;
  eventsInRange: number;
  outsideTimeRange: number;
  /** Skipped inputs by reason class (the text before the first `:`), as `detect` counts them. */
  skipped: Map<string, number>;
  quietlySkipped: number;
  passes: number;
}

const PROGRESS_EVERY = 5_000;

export class LocalSource implements EventSource {
  readonly rereadable: boolean;
  readonly stats: LocalStats = {
    files: 0,
    earlierFiles: 0,
    bytes: 0,
    recordsRead: 0,
    eventsInRange: 0,
    outsideTimeRange: 0,
    skipped: new Map(),
    quietlySkipped: 0,
    passes: 0,
  };
  readonly #options: LocalSourceOptions;

  constructor(options: LocalSourceOptions) {
    this.#options = options;
    this.rereadable = !options.paths.includes('-');
  }

  async scan(_query: InsightsQuery, sink: (observation: Observation) => void): Promise<void> {
    const { since, until } = this.#options;
    const first = this.stats.passes === 0;
    this.stats.passes++;
    const stats = first ? this.stats : undefined;
    let records = 0;
    const skip = (origin: RecordOrigin, reason: string) => {
      if (stats === undefined) return;
      const reasonClass = skipReasonClass(reason);
      stats.skipped.set(reasonClass, (stats.skipped.get(reasonClass) ?? 0) + 1);
      this.#options.onSkip?.(origin, reason);
    };
    const items = readCloudTrail(this.#options.paths, {
      stdin: this.#options.stdin,
      onFile: (_file, bytes) => {
        if (stats === undefined) return;
        stats.files++;
        stats.bytes += bytes;
      },
      since,
      onEarlierFile: () => {
        if (stats) stats.earlierFiles++;
      },
    });
    for await (const item of items) {
      if (item.kind === 'skip') {
        if (item.quiet) {
          if (stats) stats.quietlySkipped++;
        } else skip(item.origin, item.reason);
        continue;
      }
      records++;
      if (stats) stats.recordsRead++;
      if (records % PROGRESS_EVERY === 0) this.#options.onProgress?.(this.stats.files, records);
      const normalized = normalizeRecord(item.record);
      if (!normalized.ok) {
        skip(item.origin, normalized.reason);
        continue;
      }
      const { event } = normalized;
      if ((since !== undefined && event.time < since) || (until !== undefined && event.time >= until)) {
        if (stats) stats.outsideTimeRange++;
        continue;
      }
      if (stats) stats.eventsInRange++;
      sink({ event, count: 1, first: event.time, last: event.time });
    }
  }
}
