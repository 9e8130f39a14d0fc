import type { ResultField } from '@aws-sdk/client-cloudwatch-logs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type InsightsProgress,
  MAX_RESULT_ROWS,
  runInsightsQuery,
} from '../../../lib/queries/insights-runner.ts';
import { QueryError } from '../../../lib/queries/query-error.ts';
import { type LogsReply, type LogsRequest, type LogsServer, startLogsServer } from './logs-server.ts';

/** One event per second in [FROM, FROM + SPAN): a range's result is one row per second, cut at `limit`. */
const FROM = 1_795_000_000;

function perSecond(span: number): (request: LogsRequest) => LogsReply {
  const queries = new Map<string, { start: number; end: number; limit: number }>();
  return ({ operation, body }) => {
    if (operation === 'StartQuery') {
      const id = `q${queries.size + 1}`;
      queries.set(id, {
        start: Number(body.startTime),
        end: Number(body.endTime),
        limit: Number(body.limit),
      });
      return { queryId: id };
    }
    const query = queries.get(String(body.queryId));
    if (query === undefined)
      return { error: { type: 'ResourceNotFoundException', message: 'no such query' }, status: 400 };
    const results: ResultField[][] = [];
    for (let s = Math.max(query.start, FROM); s <= Math.min(query.end, FROM + span - 1); s++) {
      if (results.length === query.limit) break;
      results.push([{ field: 'second', value: String(s) }]);
    }
    return { status: 'Complete', results };
  };
}

let server: LogsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const options = (s: LogsServer, extra: Partial<Parameters<typeof runInsightsQuery>[2]> = {}) => ({
  client: s.client(),
  logGroups: ['CloudTrail/org'],
  deadline: Date.now() + 20_000,
  pollMs: 5,
  ...extra,
});

describe('runInsightsQuery', () => {
  it('sends StartQuery with the group, text, whole-second range and the 10,000 row limit, then polls', async () => {
    server = await startLogsServer(perSecond(3));
    const rows: string[] = [];
    const done = await runInsightsQuery(
      'fields second',
      { start: FROM, end: FROM + 59 },
      options(server),
      (batch) => rows.push(...batch.map((r) => String(r[0]?.value))),
    );
    expect(rows).toEqual([String(FROM), String(FROM + 1), String(FROM + 2)]);
    expect(done).toEqual({ queries: 1, splits: 0 });
    expect(server.requests[0]).toEqual({
      operation: 'StartQuery',
      body: {
        logGroupIdentifiers: ['CloudTrail/org'],
        queryString: 'fields second',
        startTime: FROM,
        endTime: FROM + 59,
        limit: MAX_RESULT_ROWS,
      },
    });
    expect(server.requests[1]).toEqual({ operation: 'GetQueryResults', body: { queryId: 'q1' } });
  });

  it('splits a range whose result hit the 10,000 row cap in halves, recursively, and delivers every row once in time order', async () => {
    server = await startLogsServer(perSecond(20_000));
    const seconds: number[] = [];
    const progress: InsightsProgress[] = [];
    const done = await runInsightsQuery(
      'fields second',
      { start: FROM, end: FROM + 19_999 },
      options(server, { onProgress: (p) => progress.push(p) }),
      (batch) => seconds.push(...batch.map((r) => Number(r[0]?.value))),
    );
    expect(seconds).toHaveLength(20_000);
    expect(seconds).toEqual(Array.from({ length: 20_000 }, (_, i) => FROM + i));
    const ranges = server.requests
      .filter((r) => r.operation === 'StartQuery')
      .map((r) => [Number(r.body.startTime) - FROM, Number(r.body.endTime) - FROM]);
    expect(ranges).toEqual([
      [0, 19_999],
      [0, 9_999],
      [0, 4_999],
      [5_000, 9_999],
      [10_000, 19_999],
      [10_000, 14_999],
      [15_000, 19_999],
    ]);
    expect(done).toEqual({ queries: 7, splits: 3 });
    expect(progress.filter((p) => p.kind === 'split').map((p) => p.rows)).toEqual([10_000, 10_000, 10_000]);
  });

  it('gives up when one second alone reaches the cap', async () => {
    server = await startLogsServer(perSecond(1));
    await expect(
      runInsightsQuery(
        'fields second',
        { start: FROM, end: FROM },
        options(server, { maxRows: 1 }),
        () => {},
      ),
    ).rejects.toThrow(/single second .* cannot be split further/);
  });

  it('keeps polling while Scheduled or Running, and fails on a Failed status', async () => {
    const statuses = ['Scheduled', 'Running', 'Failed'];
    server = await startLogsServer(({ operation }) =>
      operation === 'StartQuery' ? { queryId: 'q-failing' } : { status: statuses.shift(), results: [] },
    );
    const error = await runInsightsQuery(
      'fields x',
      { start: FROM, end: FROM + 10 },
      options(server),
      () => {},
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).usage).toBe(false);
    expect((error as Error).message).toMatch(/query q-failing over .* ended with status Failed/);
    expect(server.requests.map((r) => r.operation)).toEqual([
      'StartQuery',
      'GetQueryResults',
      'GetQueryResults',
      'GetQueryResults',
    ]);
  });

  it('stops the query and fails when the deadline passes', async () => {
    server = await startLogsServer(({ operation }) =>
      operation === 'StartQuery'
        ? { queryId: 'q-slow' }
        : operation === 'StopQuery'
          ? { success: true }
          : { status: 'Running' },
    );
    const started = Date.now();
    const error = await runInsightsQuery(
      'fields x',
      { start: FROM, end: FROM + 10 },
      options(server, { deadline: Date.now() + 300, pollMs: 20 }),
      () => {},
    ).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/timed out \(--timeout\)/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(server.requests.at(-1)).toEqual({ operation: 'StopQuery', body: { queryId: 'q-slow' } });
  });

  it('reports an AWS error by name, without a stack', async () => {
    server = await startLogsServer(() => ({
      error: { type: 'ResourceNotFoundException', message: 'Log group does not exist' },
      status: 400,
    }));
    await expect(
      runInsightsQuery('fields x', { start: FROM, end: FROM + 10 }, options(server), () => {}),
    ).rejects.toThrow('Logs Insights StartQuery failed: ResourceNotFoundException: Log group does not exist');
  });
});
