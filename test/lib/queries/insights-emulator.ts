import type { ResultField } from '@aws-sdk/client-cloudwatch-logs';
import type { CloudTrailRecord } from '../../helpers/trail-records.ts';
import type { LogsReply, LogsRequest } from './logs-server.ts';

/**
 * Just enough of Logs Insights to check that a query's Insights text carries what its aggregation needs:
 * it reads the `fields …` list (events) or the `stats … by …` list (groups, with `bin(…)`) from the query
 * text and answers from the given records within the requested seconds, up to `limit` rows. It does not
 * evaluate `filter` (every aggregation applies the exact test itself), so it answers with more rows than
 * AWS would — which also exercises splitting at the row cap.
 */

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function valueAt(record: CloudTrailRecord, path: string): string | undefined {
  let value: unknown = record;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  if (value === undefined || value === null || typeof value === 'object') return undefined;
  return String(value);
}

/** `2026-11-20 06:10:00.000`, as Insights returns `@timestamp`. */
export function insightsTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

export function answer(
  text: string,
  records: readonly CloudTrailRecord[],
  start: number,
  end: number,
  limit: number,
): ResultField[][] {
  const inRange = records.filter((r) => {
    const seconds = Math.floor(Date.parse(String(r.eventTime)) / 1000);
    return seconds >= start && seconds <= end;
  });
  const fieldsLine = /^fields (.*)$/m.exec(text);
  if (fieldsLine) {
    const fields = (fieldsLine[1] as string).split(', ');
    return inRange.slice(0, limit).map((record) =>
      fields.flatMap((field) => {
        const value = valueAt(record, field);
        return value === undefined ? [] : [{ field, value }];
      }),
    );
  }
  const byClause = / by (.*)$/m.exec(text);
  if (byClause === null) throw new Error(`the emulator reads fields or stats … by queries, not: ${text}`);
  const by = (byClause[1] as string).split(', ');
  const groups = new Map<string, { fields: ResultField[]; count: number; first: number; last: number }>();
  for (const record of inRange) {
    const time = Date.parse(String(record.eventTime));
    const fields: ResultField[] = [];
    for (const field of by) {
      const bin = /^bin\((\d+)([smhd])\)$/.exec(field);
      if (bin) {
        const width = Number(bin[1]) * (UNITS[bin[2] as string] as number);
        fields.push({ field, value: insightsTimestamp(Math.floor(time / width) * width) });
        continue;
      }
      const value = valueAt(record, field);
      if (value !== undefined) fields.push({ field, value });
    }
    const key = JSON.stringify(by.map((f) => fields.find((x) => x.field === f)?.value ?? null));
    const group = groups.get(key);
    if (group) {
      group.count++;
      group.first = Math.min(group.first, time);
      group.last = Math.max(group.last, time);
    } else groups.set(key, { fields, count: 1, first: time, last: time });
  }
  return [...groups.values()]
    .slice(0, limit)
    .map((g) => [
      ...g.fields,
      { field: 'count', value: String(g.count) },
      { field: 'first', value: insightsTimestamp(g.first) },
      { field: 'last', value: insightsTimestamp(g.last) },
    ]);
}

/** A handler for startLogsServer answering every query from `records`, complete on the first poll. */
export function emulate(records: readonly CloudTrailRecord[]): (request: LogsRequest) => LogsReply {
  const queries = new Map<string, ResultField[][]>();
  return ({ operation, body }) => {
    if (operation === 'StartQuery') {
      const id = `q-${queries.size + 1}`;
      queries.set(
        id,
        answer(
          String(body.queryString),
          records,
          Number(body.startTime),
          Number(body.endTime),
          Number(body.limit ?? 10_000),
        ),
      );
      return { queryId: id };
    }
    if (operation === 'GetQueryResults') {
      const results = queries.get(String(body.queryId)) ?? [];
      return {
        status: 'Complete',
        results,
        statistics: { recordsScanned: records.length, recordsMatched: results.length },
      };
    }
    return { error: { type: 'InvalidOperationException', message: operation }, status: 400 };
  };
}
