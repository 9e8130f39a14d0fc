import type { NormalizedEvent } from '../events/normalized-event.ts';
import type { CounterEntry, MemoryEntry } from '../state/state-port.ts';
import type { StateView } from './detector.ts';
import { firstLaterThan, sliceSorted } from './sorted-entries.ts';

/** Orders entries by time, then event id, so views are the same whatever order events arrived in. */
export function compareEntries(a: CounterEntry, b: CounterEntry): number {
  return a.time - b.time || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}

const MAX_NAMESPACED = 50_000;
const namespacedKeys = new Map<string, Map<string, string>>();
let namespacedCount = 0;

/**
 * `<namespace>|<key>`: a detector's key as the store knows it. Remembered (bounded), since the same few
 * keys (a session's access key, a principal) come back event after event.
 */
export function namespacedKey(namespace: string, key: string): string {
  let byKey = namespacedKeys.get(namespace);
  const known = byKey?.get(key);
  if (known !== undefined) return known;
  const full = `${namespace}|${key}`;
  if (namespacedCount >= MAX_NAMESPACED) {
    namespacedKeys.clear();
    namespacedCount = 0;
    byKey = undefined;
  }
  if (byKey === undefined) {
    byKey = new Map();
    namespacedKeys.set(namespace, byKey);
  }
  byKey.set(key, full);
  namespacedCount++;
  return full;
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
  return new EventStateView(event.time, event.time - lookback, namespace, entries, memory);
}

/** A class rather than closures: one small object per judged event on the hot path. */
class EventStateView implements StateView {
  readonly #time: number;
  readonly #from: number;
  readonly #namespace: string;
  readonly #entries: ReadonlyMap<string, readonly CounterEntry[]>;
  readonly #memory: ReadonlyMap<string, MemoryEntry>;

  constructor(
    time: number,
    from: number,
    namespace: string,
    entries: ReadonlyMap<string, readonly CounterEntry[]>,
    memory: ReadonlyMap<string, MemoryEntry>,
  ) {
    this.#time = time;
    this.#from = from;
    this.#namespace = namespace;
    this.#entries = entries;
    this.#memory = memory;
  }

  entries(key: string): readonly CounterEntry[] {
    const sorted = this.#entries.get(namespacedKey(this.#namespace, key)) ?? [];
    // The lists are time-sorted: the visible ones, `from < time <= event time`, are one run of them.
    return sliceSorted(sorted, firstLaterThan(sorted, this.#from), firstLaterThan(sorted, this.#time));
  }

  recalled(key: string): string | undefined {
    const entry = this.#memory.get(namespacedKey(this.#namespace, key));
    return entry && entry.expiresAt > this.#time ? entry.value : undefined;
  }
}
