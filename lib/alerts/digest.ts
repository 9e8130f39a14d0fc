import type { Row } from '../queries/query-types.ts';

/**
 * The AccessDenied trend digest for security: denials per principal and per action over the last
 * period, against the period of the same length before it, with each principal's series for a sparkline.
 * Built from the rows of `query denied` (lib/queries/denied-query.ts: principal, action, bin, count), so
 * the digest counts exactly what the query shows.
 */

export interface DigestWindow {
  /** End of the current period (exclusive), a bin boundary. */
  end: number;
  periodMs: number;
  binMs: number;
}

export interface Trend {
  name: string;
  current: number;
  previous: number;
}

export interface PrincipalTrend extends Trend {
  /** Denials per bin over the current period, oldest first. */
  series: number[];
}

export interface Digest extends DigestWindow {
  start: number;
  current: number;
  previous: number;
  principals: PrincipalTrend[];
  actions: Trend[];
  /** Principals / actions with denials in either period, before the top-N cut. */
  principalCount: number;
  actionCount: number;
}

/** The bin width and the end of the current period for `--since PERIOD` at `now`: whole bins only. */
export function digestWindow(now: number, periodMs: number): DigestWindow {
  const hour = 3_600_000;
  const binMs = periodMs % hour === 0 ? hour : periodMs % 60_000 === 0 ? 60_000 : 1_000;
  return { end: Math.ceil(now / binMs) * binMs, periodMs, binMs };
}

function byCurrent<T extends Trend>(a: T, b: T): number {
  return b.current - a.current || b.previous - a.previous || a.name.localeCompare(b.name);
}

export function buildDigest(rows: readonly Row[], window: DigestWindow, top: number): Digest {
  const start = window.end - window.periodMs;
  const bins = Math.round(window.periodMs / window.binMs);
  const principals = new Map<string, PrincipalTrend>();
  const actions = new Map<string, Trend>();
  let current = 0;
  let previous = 0;
  for (const row of rows) {
    const bin = Date.parse(String(row.bin));
    const count = Number(row.count);
    if (
      !Number.isFinite(bin) ||
      !Number.isFinite(count) ||
      bin >= window.end ||
      bin < start - window.periodMs
    )
      continue;
    const isCurrent = bin >= start;
    const principalName = String(row.principal);
    const principal = principals.get(principalName) ?? {
      name: principalName,
      current: 0,
      previous: 0,
      series: new Array<number>(bins).fill(0),
    };
    const actionName = String(row.action);
    const action = actions.get(actionName) ?? { name: actionName, current: 0, previous: 0 };
    if (isCurrent) {
      principal.current += count;
      action.current += count;
      current += count;
      const index = Math.floor((bin - start) / window.binMs);
      principal.series[index] = (principal.series[index] ?? 0) + count;
    } else {
      principal.previous += count;
      action.previous += count;
      previous += count;
    }
    principals.set(principalName, principal);
    actions.set(actionName, action);
  }
  return {
    ...window,
    start,
    current,
    previous,
    principals: [...principals.values()].sort(byCurrent).slice(0, top),
    actions: [...actions.values()].sort(byCurrent).slice(0, top),
    principalCount: principals.size,
    actionCount: actions.size,
  };
}

/** `new`, `gone`, `+150%`, `-40%` or `±0%`: the change from the previous period. */
export function formatChange({ current, previous }: Pick<Trend, 'current' | 'previous'>): string {
  if (previous === 0) return current === 0 ? '±0%' : 'new';
  if (current === 0) return 'gone';
  const percent = Math.round(((current - previous) / previous) * 100);
  return percent === 0 ? '±0%' : `${percent > 0 ? '+' : ''}${percent}%`;
}
