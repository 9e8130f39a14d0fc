import type { CounterEntry } from '../state/state-port.ts';
import { firstAfter, firstLaterThan, type SortedRun, sliceSorted, sortedRunOf } from './sorted-entries.ts';
import { compareEntries } from './state-view.ts';

/**
 * Evidence for windowed findings, as pure functions over the counter entries a `StateView` returns.
 * A window "ending at" an event holds the entries with `end.time - windowMs < time <= end.time` that do not
 * sort after the event itself by (time, event id): events stamped in the same second then count the same
 * way whether they arrived in one batch or one at a time. Entries count once per event id, whatever the
 * state store handed back.
 *
 * Lists a `StateView` returns are runs of a sorted, de-duplicated base list (lib/engine/sorted-entries.ts):
 * for those, windows are found by binary search and facet counts kept running across the events of a
 * batch, so judging a burst stays near-linear in its size. Any other list takes the general path; the
 * results are the same.
 */

/** Where a window ends: the judged event. */
export interface WindowEnd {
  time: number;
  eventId: string;
}

/** One facet value and how many entries carry it. */
export interface FacetCount {
  value: string;
  count: number;
}

/** What a windowed finding reports about its events. */
export interface WindowSummary {
  count: number;
  /** ISO times of the first and last entry. */
  firstSeen?: string;
  lastSeen?: string;
  /** The first `limit` event ids by time. */
  eventIds: string[];
}

/** How many event ids a finding keeps (the finding contract: the first 20 by time). */
export const EVIDENCE_IDS = 20;

/** Entries in time order, then event id: as given when already sorted, else a sorted copy. */
function ordered(entries: readonly CounterEntry[]): readonly CounterEntry[] {
  if (sortedRunOf(entries) !== undefined) return entries;
  for (let i = 1; i < entries.length; i++) {
    if (compareEntries(entries[i - 1] as CounterEntry, entries[i] as CounterEntry) > 0) {
      return [...entries].sort(compareEntries);
    }
  }
  return entries;
}

/** The entries of the `windowMs` window ending at `end`, in time order, one per event id. */
export function entriesInWindow(
  entries: readonly CounterEntry[],
  end: WindowEnd,
  windowMs: number,
): CounterEntry[] {
  const from = end.time - windowMs;
  if (sortedRunOf(entries) !== undefined) {
    // Sorted and unique: the window is the run after `from`, up to the end entry.
    return sliceSorted(entries, firstLaterThan(entries, from), firstAfter(entries, end.time, end.eventId));
  }
  const seen = new Set<string>();
  const result: CounterEntry[] = [];
  for (const entry of ordered(entries)) {
    if (entry.time <= from) continue;
    if (entry.time > end.time || (entry.time === end.time && entry.eventId > end.eventId)) break;
    if (seen.has(entry.eventId)) continue;
    seen.add(entry.eventId);
    result.push(entry);
  }
  return result;
}

/**
 * Counts of the `windows` full windows before the one ending at `end`: index 0 is the window just before
 * it, `(end - 2w, end - w]`, index 1 the one before that, and so on.
 */
export function priorWindowCounts(
  entries: readonly CounterEntry[],
  end: WindowEnd,
  windowMs: number,
  windows: number,
): number[] {
  const counts = new Array<number>(windows).fill(0);
  if (sortedRunOf(entries) !== undefined) {
    // Prior window i holds ages [(i + 1)w, (i + 2)w), i.e. times (end - (i + 2)w, end - (i + 1)w].
    let newer = firstLaterThan(entries, end.time - windowMs);
    for (let i = 0; i < windows; i++) {
      const older = firstLaterThan(entries, end.time - (i + 2) * windowMs);
      counts[i] = newer - older;
      newer = older;
    }
    return counts;
  }
  const seen = new Set<string>();
  for (const entry of entries) {
    const age = end.time - entry.time;
    if (age < windowMs || seen.has(entry.eventId)) continue;
    // age in [(i + 1)w, (i + 2)w) is prior window i; 0 < w so the index is never negative here.
    const index = Math.floor(age / windowMs) - 1;
    if (index >= windows) continue;
    seen.add(entry.eventId);
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts;
}

/** The median of the values (the mean of the middle two for an even count); 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? 0) + upper) / 2;
}

/** The `limit` most frequent values of one facet, most frequent first (ties by value, for stable output). */
export function topFacetValues(entries: readonly CounterEntry[], facet: string, limit = 5): FacetCount[] {
  const run = sortedRunOf(entries);
  const counts = run ? runningCounts(run, entries.length, facet) : countFacet(entries, facet);
  return topOf(counts, limit);
}

function countFacet(entries: readonly CounterEntry[], facet: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of entries) {
    const value = entry.facets?.[facet];
    if (value !== undefined) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return counts;
}

/** The `limit` largest counts, ties by value: a bounded insertion, not a sort of every distinct value. */
function topOf(counts: ReadonlyMap<string, number>, limit: number): FacetCount[] {
  if (!Number.isInteger(limit) || limit <= 0) {
    return [...counts]
      .map(([value, count]) => ({ value, count }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
      .slice(0, limit);
  }
  const top: FacetCount[] = [];
  const before = (a: FacetCount, b: FacetCount) =>
    a.count > b.count || (a.count === b.count && a.value < b.value);
  for (const [value, count] of counts) {
    const candidate = { value, count };
    if (top.length === limit && !before(candidate, top[limit - 1] as FacetCount)) continue;
    let at = top.length === limit ? limit - 1 : top.length;
    while (at > 0 && before(candidate, top[at - 1] as FacetCount)) at--;
    top.splice(at, 0, candidate);
    if (top.length > limit) top.pop();
  }
  return top;
}

/** Facet counts over `base[from, to)`, moved along as successive windows slide forward. */
interface RunningCounts {
  from: number;
  to: number;
  counts: Map<string, number>;
}

const running = new WeakMap<readonly CounterEntry[], Map<string, RunningCounts>>();

function runningCounts(run: SortedRun, length: number, facet: string): ReadonlyMap<string, number> {
  const from = run.start;
  const to = run.start + length;
  let byFacet = running.get(run.base);
  if (byFacet === undefined) {
    byFacet = new Map();
    running.set(run.base, byFacet);
  }
  let state = byFacet.get(facet);
  // Windows of one key's events mostly move forward; anything else starts over.
  if (state === undefined || from < state.from || to < state.to || from > state.to) {
    state = { from, to: from, counts: new Map() };
    byFacet.set(facet, state);
  }
  const { base } = run;
  const { counts } = state;
  for (let i = state.to; i < to; i++) {
    const value = (base[i] as CounterEntry).facets?.[facet];
    if (value !== undefined) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  for (let i = state.from; i < from; i++) {
    const value = (base[i] as CounterEntry).facets?.[facet];
    if (value === undefined) continue;
    const left = (counts.get(value) ?? 0) - 1;
    if (left > 0) counts.set(value, left);
    else counts.delete(value);
  }
  state.from = from;
  state.to = to;
  return counts;
}

/** Count, first and last time, and the first event ids of window entries (in time order). */
export function summarizeWindow(entries: readonly CounterEntry[], limit = EVIDENCE_IDS): WindowSummary {
  const sorted = ordered(entries);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  return {
    count: sorted.length,
    firstSeen: first && new Date(first.time).toISOString(),
    lastSeen: last && new Date(last.time).toISOString(),
    eventIds: sorted.slice(0, limit).map((entry) => entry.eventId),
  };
}

/**
 * The cooldown for a finding keyed by principal over a sliding window: two windows. A burst stays in the
 * window for one window after its last event, so any later event (a background call) could see the
 * burst's tail over the limit again; with one window of cooldown that tail would raise the same burst a
 * second time. Two windows cover every burst that fits in one window; a spike that lasts longer is raised
 * again at most once per two windows while it goes on.
 */
export function burstCooldown(windowMs: number): number {
  return 2 * windowMs;
}

/** Bounds a facet value (attacker-controlled text stays data, and state items stay small). */
export function facetText(value: string, max = 200): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}
