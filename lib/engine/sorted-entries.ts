import type { CounterEntry } from '../state/state-port.ts';

/**
 * Counter-entry lists known to be in `compareEntries` order with one entry per event id, and which run of
 * which base list each one is. The engine marks the lists a batch reads (the state port hands back at most
 * one entry per key and event id); views and window helpers then find window bounds by binary search and
 * keep running facet counts per base list, instead of rescanning every entry for every judged event, which
 * made a burst of n events cost n² (docs/PERFORMANCE.md).
 *
 * Registration is by array identity in a WeakMap: a list nobody marked (a detector test's literal array)
 * simply takes the general path, with the same results.
 */

/** A run `base[start, start + length)` of a marked base list. */
export interface SortedRun {
  readonly base: readonly CounterEntry[];
  readonly start: number;
}

const runs = new WeakMap<readonly CounterEntry[], SortedRun>();

/** Marks a list as sorted by `compareEntries` with unique event ids (the caller vouches for both). */
export function markSorted(list: readonly CounterEntry[]): void {
  runs.set(list, { base: list, start: 0 });
}

/** Where a marked list sits in its base list; undefined for a list nobody marked. */
export function sortedRunOf(list: readonly CounterEntry[]): SortedRun | undefined {
  return runs.get(list);
}

/** `list.slice(from, to)`, marked as part of the same base when `list` is marked. */
export function sliceSorted(list: readonly CounterEntry[], from: number, to: number): CounterEntry[] {
  const slice = list.slice(from, to);
  const run = runs.get(list);
  if (run !== undefined) runs.set(slice, { base: run.base, start: run.start + from });
  return slice;
}

/** The first index in a time-sorted list whose entry is later than `time` (the length when none is). */
export function firstLaterThan(list: readonly CounterEntry[], time: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((list[middle] as CounterEntry).time > time) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** The first index in a `compareEntries`-sorted list whose entry sorts after (`time`, `eventId`). */
export function firstAfter(list: readonly CounterEntry[], time: number, eventId: string): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const entry = list[middle] as CounterEntry;
    if (entry.time > time || (entry.time === time && entry.eventId > eventId)) high = middle;
    else low = middle + 1;
  }
  return low;
}
