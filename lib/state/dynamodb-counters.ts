import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { compareEntries } from '../engine/state-view.ts';
import { DynamoBuckets } from './dynamodb-buckets.ts';
import { type DynamoContext, PARALLEL_REQUESTS } from './dynamodb-context.ts';
import { decodeEntry, encodeEntry, WINDOW_SORT_KEY } from './dynamodb-keys.ts';
import {
  DynamoWindows,
  isLive,
  parseWindowItem,
  WINDOW_CAP_BYTES,
  type WindowItem,
  windowHolds,
  windowOverlaps,
} from './dynamodb-window.ts';
import { mapLimit } from './map-limit.ts';
import type { CounterEntry } from './state-port.ts';
import { SORT_KEY } from './table-definition.ts';

/** How long a key whose batch alone passes the window cap stays in buckets. */
const BATCH_HOT_HOLD_MS = 10 * 60_000;

/**
 * Counters on DynamoDB, in two places chosen by event time against the wall clock:
 *
 * - **live** entries (within `LIVE_HORIZON_MS` of now: what EventBridge delivers) go to the key's window
 *   item, whose UpdateItem returns the whole window: counting a live event and reading its window is ONE
 *   request (DynamoWindows);
 * - **older** entries (replays, very late events) and entries of hot keys go to minute buckets, one
 *   UpdateItem per (key, bucket) per batch, read back with one Query per key (DynamoBuckets).
 *
 * A read uses the window item alone when it holds all of `[from, to]`; otherwise one Query returns the
 * buckets and, when the window reaches the live horizon, the window item with them.
 */
export class DynamoCounters {
  readonly #context: DynamoContext;
  readonly #buckets: DynamoBuckets;
  readonly #windows: DynamoWindows;

  constructor(context: DynamoContext) {
    this.#context = context;
    this.#buckets = new DynamoBuckets(context);
    this.#windows = new DynamoWindows(context);
  }

  /** Adds entries (once per key and event id); returns the window items the writes returned, by key. */
  async add(entries: readonly CounterEntry[]): Promise<Map<string, WindowItem>> {
    const now = this.#context.now();
    const byKey = new Map<string, Map<string, CounterEntry>>();
    for (const entry of entries) {
      const ids = byKey.get(entry.key) ?? new Map<string, CounterEntry>();
      byKey.set(entry.key, ids);
      if (!ids.has(entry.eventId)) ids.set(entry.eventId, entry);
    }
    for (const ids of byKey.values()) this.#context.stats.countedEntries += ids.size;
    const archived: CounterEntry[] = [];
    const live: [string, CounterEntry[]][] = [];
    for (const [key, ids] of byKey) {
      const hotUntil = this.#windows.hotUntil(key);
      const own: CounterEntry[] = [];
      for (const entry of ids.values()) (isLive(entry.time, now, hotUntil) ? own : archived).push(entry);
      if (own.length > 0) live.push([key, own]);
    }
    const items = new Map<string, WindowItem>();
    const bucketWrites = async () => this.#buckets.write(archived);
    const windowWrites = mapLimit(live, PARALLEL_REQUESTS, async ([key, own]) => {
      // A batch that alone would pass the cap marks the key hot first, so its readers Query the buckets.
      if (encodedBytes(own) > WINDOW_CAP_BYTES) {
        const newest = Math.max(...own.map((e) => e.time));
        items.set(key, await this.#windows.markHot(key, Math.max(now, newest) + BATCH_HOT_HOLD_MS));
        await this.#buckets.write(own);
      } else items.set(key, await this.#windows.write(key, own));
    });
    await Promise.all([archived.length > 0 ? bucketWrites() : undefined, windowWrites]);
    return items;
  }

  /**
   * The entries of each key with `from <= time <= to`, in view order. `written` are window items a write
   * of this batch returned: a key whose item holds the whole range costs no request.
   */
  async read(
    keys: readonly string[],
    from: number,
    to: number,
    written: ReadonlyMap<string, WindowItem> = new Map(),
  ): Promise<Map<string, CounterEntry[]>> {
    const unique = [...new Set(keys)];
    const result = new Map<string, CounterEntry[]>(unique.map((key) => [key, []]));
    if (!(from <= to)) return result;
    const now = this.#context.now();
    const lists = await mapLimit(unique, PARALLEL_REQUESTS, async (key) => {
      const item = written.get(key);
      if (windowHolds(item, from, now)) return inRange(item.entries, from, to);
      const items = await this.#buckets.query(key, from, to, windowOverlaps(to, now));
      return inRange(entriesOf(key, items), from, to);
    });
    unique.forEach((key, index) => {
      result.set(key, lists[index] ?? []);
    });
    return result;
  }

  /** Adds entries and reads the windows of their keys: one request per live key, two for the others. */
  async addAndRead(
    entries: readonly CounterEntry[],
    from: number,
    to: number,
  ): Promise<Map<string, CounterEntry[]>> {
    const written = await this.add(entries);
    return this.read(
      entries.map((e) => e.key),
      from,
      to,
      written,
    );
  }
}

function encodedBytes(entries: readonly CounterEntry[]): number {
  let bytes = 0;
  for (const entry of entries) bytes += encodeEntry(entry).length + 1;
  return bytes;
}

/** The entries of Query items: bucket items (`e`) and the window item (minute attributes). */
function entriesOf(key: string, items: readonly Record<string, AttributeValue>[]): CounterEntry[] {
  const entries: CounterEntry[] = [];
  for (const item of items) {
    if (item[SORT_KEY]?.S === WINDOW_SORT_KEY) entries.push(...parseWindowItem(key, item).entries);
    else
      for (const member of item.e?.SS ?? []) {
        const entry = decodeEntry(key, member);
        if (entry) entries.push(entry);
      }
  }
  return entries;
}

/** Entries within `[from, to]`, one per event id, sorted for views. */
function inRange(entries: readonly CounterEntry[], from: number, to: number): CounterEntry[] {
  const byEvent = new Map<string, CounterEntry>();
  for (const entry of entries) {
    if (entry.time < from || entry.time > to) continue;
    const known = byEvent.get(entry.eventId);
    // One event stored twice (the same event counted with different facets) still counts once.
    if (!known || compareEntries(entry, known) < 0) byEvent.set(entry.eventId, entry);
  }
  return [...byEvent.values()].sort(compareEntries);
}
