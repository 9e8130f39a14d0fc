import { normalizeRecord } from '../events/normalize.ts';
import type { InsightsQuery, Observation } from './query-types.ts';

/**
 * Turns a Logs Insights result row back into what a local read would have seen: the row's CloudTrail
 * field paths (`userIdentity.sessionContext.sessionIssuer.arn`, `resources.0.ARN`) are set on a fresh
 * record, which goes through the same `normalizeRecord` as a file's records. A `stats` row also carries
 * `count`, `first` and `last`; its record's `eventTime` is the group's first event.
 */

/** One field of a result row, as `GetQueryResults` returns it. */
export interface ResultField {
  field?: string;
  value?: string;
}

export type RowResult = { ok: true; observation: Observation } | { ok: false; reason: string };

/** Keys that would reach an object's prototype instead of creating a field. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);
/** CloudTrail arrays (`resources`) are short; an index past this is not a record field. */
const MAX_INDEX = 64;
const INDEX = /^\d{1,2}$/;

/**
 * Reads a Logs Insights timestamp: `2026-11-20 06:10:00.000` (UTC, how `@timestamp` and its min/max
 * come back), an ISO time, or epoch milliseconds. Undefined when none of these.
 */
export function parseInsightsTime(value: string | undefined): number | undefined {
  if (value === undefined || value.length === 0) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const spaced = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(\.\d+)?)$/.exec(value);
  const time = Date.parse(spaced ? `${spaced[1]}T${spaced[2]}Z` : value);
  return Number.isNaN(time) ? undefined : time;
}

/** Sets `record[a][b][c] = value` for the path `a.b.c`; numeric segments make arrays. */
function setPath(record: Record<string, unknown>, path: string, value: string): void {
  const parts = path.split('.');
  let target: Record<string, unknown> | unknown[] = record;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (FORBIDDEN_KEYS.has(part) || part.length === 0) return;
    const index = INDEX.test(part) ? Number(part) : undefined;
    if (index !== undefined && (!Array.isArray(target) || index >= MAX_INDEX)) return;
    if (index === undefined && Array.isArray(target)) return;
    const container = target as Record<string, unknown>;
    const key = index ?? part;
    if (i === parts.length - 1) {
      container[key] = value;
      return;
    }
    const next = INDEX.test(parts[i + 1] as string) ? [] : {};
    const existing = container[key];
    if (typeof existing !== 'object' || existing === null) container[key] = next;
    target = container[key] as Record<string, unknown> | unknown[];
  }
}

/** Fields of a result row that are not CloudTrail paths. */
function isMetaField(name: string): boolean {
  return (
    name.startsWith('@') || name.startsWith('bin(') || name === 'count' || name === 'first' || name === 'last'
  );
}

/** Rebuilds one result row into an observation, or says why it cannot be used. */
export function observationFromRow(row: readonly ResultField[], shape: InsightsQuery['shape']): RowResult {
  const record: Record<string, unknown> = {};
  const meta = new Map<string, string>();
  for (const { field, value } of row) {
    if (field === undefined || value === undefined || value.length === 0) continue;
    if (isMetaField(field)) meta.set(field, value);
    else setPath(record, field, value);
  }
  let count = 1;
  let first: number | undefined;
  let last: number | undefined;
  if (shape === 'groups') {
    count = Number(meta.get('count'));
    first = parseInsightsTime(meta.get('first'));
    last = parseInsightsTime(meta.get('last'));
    if (!Number.isSafeInteger(count) || count < 1) return { ok: false, reason: 'result row without a count' };
    if (first === undefined || last === undefined) return { ok: false, reason: 'result row without times' };
    record.eventTime = new Date(first).toISOString();
  }
  const normalized = normalizeRecord(record);
  if (!normalized.ok) return { ok: false, reason: normalized.reason };
  const { event } = normalized;
  return { ok: true, observation: { event, count, first: first ?? event.time, last: last ?? event.time } };
}
