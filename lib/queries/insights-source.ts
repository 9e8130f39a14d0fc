import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { observationFromRow } from './insights-record.ts';
import { type InsightsProgress, runInsightsQuery } from './insights-runner.ts';
import type { EventSource, InsightsQuery, Observation } from './query-types.ts';

/**
 * CloudWatch log groups that CloudTrail delivers to, queried through Logs Insights. Each result row is
 * rebuilt into a record and normalized (lib/queries/insights-record.ts), so the query's aggregation sees
 * the same events it would see locally, with counts.
 */

export interface InsightsSourceOptions {
  client: CloudWatchLogsClient;
  logGroups: readonly string[];
  /** Epoch ms; Insights needs a range. */
  since: number;
  until: number;
  /** Epoch ms by which every query of the run must be done (`--timeout`). */
  deadline: number;
  pollMs?: number;
  maxRows?: number;
  onProgress?(progress: InsightsProgress): void;
  /** A result row that could not be used (e.g. no eventTime), with why. */
  onSkip?(reason: string): void;
}

export interface InsightsStats {
  queries: number;
  splits: number;
  rows: number;
  skippedRows: number;
  passes: number;
}

export class InsightsSource implements EventSource {
  readonly rereadable = true;
  readonly stats: InsightsStats = { queries: 0, splits: 0, rows: 0, skippedRows: 0, passes: 0 };
  readonly #options: InsightsSourceOptions;

  constructor(options: InsightsSourceOptions) {
    this.#options = options;
  }

  async scan(query: InsightsQuery, sink: (observation: Observation) => void): Promise<void> {
    const { since, until } = this.#options;
    this.stats.passes++;
    // StartQuery takes whole seconds, both ends inclusive; `until` is exclusive.
    const range = {
      start: Math.floor(since / 1000),
      end: Math.max(Math.ceil(until / 1000) - 1, Math.floor(since / 1000)),
    };
    const done = await runInsightsQuery(query.text, range, this.#options, (rows) => {
      for (const row of rows) {
        this.stats.rows++;
        const result = observationFromRow(row, query.shape);
        if (result.ok) sink(result.observation);
        else {
          this.stats.skippedRows++;
          this.#options.onSkip?.(result.reason);
        }
      }
    });
    this.stats.queries += done.queries;
    this.stats.splits += done.splits;
  }
}
