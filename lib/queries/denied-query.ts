import { formatDuration } from '../config/duration.ts';
import { formatTable } from '../output/format-table.ts';
import { sparkline } from '../output/sparkline.ts';
import { compositeKey, isoTime } from './cells.ts';
import { DENIAL_FILTER, IDENTITY_FIELDS, statsQuery } from './insights-text.ts';
import type { Aggregation, Column, Observation, QueryDefinition, Row } from './query-types.ts';
import { runOnePass } from './query-types.ts';
import { renderGenericTable } from './render-rows.ts';

/**
 * `query denied`: the AccessDenied trend. A denial is `outcome === 'denied'` (the allow-list in
 * lib/identity/denial.ts), never "any errorCode"; counts are exact sums per principal, action and time bin.
 */

export interface DeniedParams {
  /** Bin width in ms (`--bin`, default 1h); bins start at multiples of it since the epoch (UTC). */
  binMs: number;
}

const COLUMNS: readonly Column[] = [
  { key: 'principal', header: 'PRINCIPAL', width: 70 },
  { key: 'action', header: 'ACTION', width: 50 },
  { key: 'bin', header: 'BIN' },
  { key: 'count', header: 'COUNT' },
];

/** Widest sparkline in the table; longer trends are summed into this many bars. */
const SPARK_WIDTH = 48;

class DeniedAggregation implements Aggregation {
  readonly #counts = new Map<string, { principal: string; action: string; bin: number; count: number }>();

  constructor(readonly binMs: number) {}

  add({ event, count, first }: Observation): void {
    if (event.outcome !== 'denied') return;
    const bin = Math.floor(first / this.binMs) * this.binMs;
    const key = compositeKey(event.actor.key, event.action, String(bin));
    const entry = this.#counts.get(key);
    if (entry) entry.count += count;
    else this.#counts.set(key, { principal: event.actor.key, action: event.action, bin, count });
  }

  rows(): Row[] {
    return [...this.#counts.values()]
      .sort(
        (a, b) => a.principal.localeCompare(b.principal) || a.bin - b.bin || a.action.localeCompare(b.action),
      )
      .map(({ principal, action, bin, count }) => ({ principal, action, bin: isoTime(bin), count }));
  }
}

/** The per-principal summary above the rows: total denials and a sparkline over every bin in range. */
function trendTable(rows: readonly Row[], binMs: number): string {
  const byPrincipal = new Map<string, Map<number, number>>();
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const row of rows) {
    const bin = Date.parse(String(row.bin));
    from = Math.min(from, bin);
    to = Math.max(to, bin);
    const counts = byPrincipal.get(String(row.principal)) ?? new Map<number, number>();
    counts.set(bin, (counts.get(bin) ?? 0) + Number(row.count));
    byPrincipal.set(String(row.principal), counts);
  }
  const summary = [...byPrincipal].map(([principal, counts]) => {
    const series: number[] = [];
    for (let bin = from; bin <= to; bin += binMs) series.push(counts.get(bin) ?? 0);
    const total = series.reduce((a, b) => a + b, 0);
    return { principal, total, line: sparkline(series, SPARK_WIDTH) };
  });
  summary.sort((a, b) => b.total - a.total || a.principal.localeCompare(b.principal));
  const trend = `TREND (${formatDuration(binMs)} bins from ${isoTime(from)} to ${isoTime(to)})`;
  return formatTable(
    summary.map((s) => [s.principal, String(s.total), s.line]),
    { headers: ['PRINCIPAL', 'DENIALS', trend], maxWidths: [70, 10, undefined] },
  );
}

export const deniedQuery: QueryDefinition<DeniedParams> = {
  name: 'denied',
  description: 'the AccessDenied trend: authorization failures per principal, action and time bin',
  columns: COLUMNS,
  insights: ({ binMs }) => ({
    shape: 'groups',
    text: statsQuery({ filter: DENIAL_FILTER, groupBy: [...IDENTITY_FIELDS, 'errorCode'], binMs }),
  }),
  async run(params, context, source) {
    return runOnePass(source, deniedQuery.insights(params, context), new DeniedAggregation(params.binMs));
  },
  table(rows, columns, { binMs }) {
    if (rows.length === 0) return 'No authorization failures.';
    return `${trendTable(rows, binMs)}\n\n${renderGenericTable(columns, rows)}`;
  },
};
