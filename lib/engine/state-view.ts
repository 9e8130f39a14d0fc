import type { NormalizedEvent } from '../events/normalized-event.ts';
import type { CounterEntry, MemoryEntry } from '../state/state-port.ts';
import type { StateView } from './detector.ts';

/** Orders entries by time, then event id, so views are the same whatever order events arrived in. */
export function compareEntries(a: CounterEntry, b: CounterEntry): number {
  return a.time - b.time || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}

/**
 * State as one event sees it: counter entries up to its own time (later entries — from later events in
 * the same batch, or out-of-order arrivals — are not visible), and remembered values not yet expired.
 * `namespace` is the detector id, which prefixes every key in the store.
 */
export function stateViewFor(
  event: NormalizedEvent,
  namespace: string,
  lookback: number,
  entries: ReadonlyMap<string, readonly CounterEntry[]>,
  memory: ReadonlyMap<string, MemoryEntry>,
): StateView {
  const from = event.time - lookback;
  return {
    entries(key) {
      const sorted = entries.get(`${namespace}|${key}`) ?? [];
      const visible: CounterEntry[] = [];
      for (const entry of sorted) {
        if (entry.time > event.time) break;
        if (entry.time > from) visible.push(entry);
      }
      return visible;
    },
    recalled(key) {
      const entry = memory.get(`${namespace}|${key}`);
      return entry && entry.expiresAt > event.time ? entry.value : undefined;
    },
  };
}
