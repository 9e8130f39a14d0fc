import {
  type CloudWatchLogsClient,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  type ResultField,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { QueryError } from './query-error.ts';

/**
 * Runs one Logs Insights query over a time range with `StartQuery` / `GetQueryResults`, polling until it
 * completes. A result of 10,000 rows may have been cut at the cap, so that range is split in halves and
 * each half run again, recursively, until every range's result fits; ranges are delivered in time order.
 * One deadline covers the whole run: past it the running query is stopped and the run fails.
 */

/** The most rows one query returns (`StartQuery` `limit` maximum as `GetQueryResults` pages it). */
export const MAX_RESULT_ROWS = 10_000;

/** An inclusive range of epoch seconds, as `StartQuery` takes it. */
export interface SecondsRange {
  start: number;
  end: number;
}

export interface InsightsProgress {
  kind: 'start' | 'poll' | 'split' | 'done';
  range: SecondsRange;
  /** Queries started so far in this run (including this one). */
  query: number;
  status?: string;
  recordsScanned?: number;
  recordsMatched?: number;
  rows?: number;
}

export interface InsightsRunOptions {
  client: CloudWatchLogsClient;
  /** Log group names or ARNs (`logGroupIdentifiers`, at most 50). */
  logGroups: readonly string[];
  /** Epoch ms by which the whole run must be done. */
  deadline: number;
  /** Wait between polls; default 1 s. */
  pollMs?: number;
  /** Rows per query before the range is split; default (and AWS maximum) 10,000. */
  maxRows?: number;
  onProgress?(progress: InsightsProgress): void;
}

const DONE_BAD = new Set(['Failed', 'Cancelled', 'Timeout', 'Unknown']);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

function describe(range: SecondsRange): string {
  const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
  return `${iso(range.start)}..${iso(range.end)}`;
}

/** AWS SDK failures as one line: the error name and message (no stack: it is not our bug). */
function awsFailure(error: unknown, what: string): QueryError {
  if (error instanceof QueryError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return new QueryError(`Logs Insights ${what} failed: ${name}: ${message}`);
}

class Run {
  queries = 0;
  splits = 0;
  readonly #options: InsightsRunOptions;

  constructor(options: InsightsRunOptions) {
    this.#options = options;
  }

  #signal(): AbortSignal {
    return AbortSignal.timeout(Math.max(1, this.#options.deadline - Date.now()));
  }

  #timedOut(queryId: string | undefined): Promise<never> {
    const stop = queryId
      ? this.#options.client.send(new StopQueryCommand({ queryId }), {
          abortSignal: AbortSignal.timeout(5_000),
        })
      : Promise.resolve();
    // Stopping is a courtesy (a running query keeps costing); failing to stop must not hide the timeout.
    return stop.then(
      () => Promise.reject(this.#timeoutError()),
      () => Promise.reject(this.#timeoutError()),
    );
  }

  #timeoutError(): QueryError {
    return new QueryError(
      `Logs Insights query timed out (--timeout) after ${this.queries} quer${this.queries === 1 ? 'y' : 'ies'}; narrow --since/--until or raise --timeout`,
    );
  }

  async one(text: string, range: SecondsRange): Promise<ResultField[][]> {
    const { client, logGroups, onProgress } = this.#options;
    const query = ++this.queries;
    if (Date.now() >= this.#options.deadline) return this.#timedOut(undefined);
    onProgress?.({ kind: 'start', range, query });
    let queryId: string | undefined;
    try {
      const started = await client.send(
        new StartQueryCommand({
          logGroupIdentifiers: [...logGroups],
          queryString: text,
          startTime: range.start,
          endTime: range.end,
          limit: this.#options.maxRows ?? MAX_RESULT_ROWS,
        }),
        { abortSignal: this.#signal() },
      );
      queryId = started.queryId;
    } catch (error) {
      if (Date.now() >= this.#options.deadline) return this.#timedOut(undefined);
      throw awsFailure(error, 'StartQuery');
    }
    if (queryId === undefined) throw new QueryError('Logs Insights StartQuery returned no queryId');
    for (;;) {
      const remaining = this.#options.deadline - Date.now();
      if (remaining <= 0) return this.#timedOut(queryId);
      await sleep(Math.min(this.#options.pollMs ?? 1_000, remaining));
      if (Date.now() >= this.#options.deadline) return this.#timedOut(queryId);
      let response: GetQueryResultsCommandOutput;
      try {
        response = await client.send(new GetQueryResultsCommand({ queryId }), {
          abortSignal: this.#signal(),
        });
      } catch (error) {
        if (Date.now() >= this.#options.deadline) return this.#timedOut(queryId);
        throw awsFailure(error, 'GetQueryResults');
      }
      const status = response.status ?? 'Unknown';
      const stats = response.statistics;
      onProgress?.({
        kind: 'poll',
        range,
        query,
        status,
        recordsScanned: stats?.recordsScanned,
        recordsMatched: stats?.recordsMatched,
      });
      if (status === 'Complete') {
        const rows = response.results ?? [];
        onProgress?.({ kind: 'done', range, query, status, rows: rows.length });
        return rows;
      }
      if (DONE_BAD.has(status)) {
        throw new QueryError(
          `Logs Insights query ${queryId} over ${describe(range)} ended with status ${status}`,
        );
      }
    }
  }
}

/**
 * Runs `text` over `range` (epoch seconds, inclusive), splitting any range whose result reached the row
 * cap; `onRows` gets each complete range's rows in time order. Throws `QueryError` for a failed or
 * cancelled query, an AWS error, a cap that one second cannot get under, or the deadline.
 */
export async function runInsightsQuery(
  text: string,
  range: SecondsRange,
  options: InsightsRunOptions,
  onRows: (rows: readonly ResultField[][]) => void,
): Promise<{ queries: number; splits: number }> {
  const run = new Run(options);
  const cap = options.maxRows ?? MAX_RESULT_ROWS;
  const pending: SecondsRange[] = [range];
  while (pending.length > 0) {
    const next = pending.shift() as SecondsRange;
    const rows = await run.one(text, next);
    if (rows.length < cap) {
      onRows(rows);
      continue;
    }
    if (next.start >= next.end) {
      throw new QueryError(
        `Logs Insights returned ${rows.length} rows for the single second ${describe(next)}: the result may be cut and cannot be split further`,
      );
    }
    const middle = Math.floor((next.start + next.end) / 2);
    run.splits++;
    options.onProgress?.({ kind: 'split', range: next, query: run.queries, rows: rows.length });
    pending.unshift({ start: next.start, end: middle }, { start: middle + 1, end: next.end });
  }
  return { queries: run.queries, splits: run.splits };
}
