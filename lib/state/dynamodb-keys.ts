import { createHash } from 'node:crypto';
import type { CounterEntry } from './state-port.ts';

/** The three kinds of item in the state table, as the first character of the partition key. */
export type ItemKind = 'counter' | 'claim' | 'memory';

const KIND_PREFIX: Record<ItemKind, string> = { counter: 'c', claim: 'f', memory: 'm' };

/** Partition keys are at most 2,048 bytes; keys beyond this are hashed so any key can be stored. */
const MAX_RAW_KEY_BYTES = 512;

/** Width of a counter bucket: a Query over a key's sort-key range returns the buckets of a window. */
export const BUCKET_MS = 60_000;

/** Sort key of the single item behind a claim or a remembered value. */
export const SINGLE_ITEM_SORT_KEY = '-';

/** Sort key of a counter key's live window item: `~` sorts after every bucket sort key (base 36). */
export const WINDOW_SORT_KEY = '~w';

/**
 * The partition key of a port key: `<kind>#<key>`, or `<kind>!<sha256>` for keys too long to store as they
 * are. The separators differ so a raw key can never collide with a hashed one.
 */
export function partitionKey(kind: ItemKind, key: string): string {
  const prefix = KIND_PREFIX[kind];
  if (Buffer.byteLength(key, 'utf8') <= MAX_RAW_KEY_BYTES) return `${prefix}#${key}`;
  return `${prefix}!${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

const base36 = (value: number, width: number) => value.toString(36).padStart(width, '0');

/** The bucket (minutes since the epoch) an event time falls in. */
export function bucketOf(time: number): number {
  return Math.floor(Math.max(0, time) / BUCKET_MS);
}

/** `<bucket>#<shard>`, both fixed-width base 36, so sort keys order by bucket then shard. */
export function bucketSortKey(bucket: number, shard: number): string {
  return `${base36(bucket, 7)}#${base36(shard, 3)}`;
}

/** The live window item's attribute holding one minute bucket's entries: `m<bucket base36>`. */
export function minuteAttribute(bucket: number): string {
  return `m${base36(bucket, 7)}`;
}

/** The bucket a `minuteAttribute` name stands for, or undefined for any other attribute. */
export function bucketOfAttribute(name: string): number | undefined {
  if (name.length !== 8 || name[0] !== 'm') return undefined;
  const bucket = Number.parseInt(name.slice(1), 36);
  return Number.isFinite(bucket) ? bucket : undefined;
}

/** The inclusive sort-key range holding every shard of the buckets that overlap `[from, to]`. */
export function bucketRange(from: number, to: number): { low: string; high: string } {
  return { low: base36(bucketOf(from), 7), high: `${base36(bucketOf(to), 7)}#~` };
}

/** Facet values beyond this are cut when an entry would be large, so one entry never nears an item's size. */
const MAX_FACET_CHARS = 256;
/** Entries longer than this have their facet values cut to `MAX_FACET_CHARS`. */
const MAX_ENTRY_BYTES = 4096;

/**
 * A counter entry as one string-set member: `<time base36>|<event id, URI-encoded>|<facets JSON>`. The
 * fixed-width time makes members sort by time, and the whole entry fits in the set, so adding the same
 * event again is a no-op for DynamoDB as well. Attacker-influenced facets (resources, error messages) are
 * cut to 256 characters each when the entry would pass 4 KB, and dropped if it still would.
 */
export function encodeEntry(entry: CounterEntry): string {
  const head = `${base36(Math.max(0, entry.time), 9)}|${encodeURIComponent(entry.eventId)}|`;
  const full = head + (entry.facets ? JSON.stringify(entry.facets) : '');
  if (Buffer.byteLength(full, 'utf8') <= MAX_ENTRY_BYTES || !entry.facets) return full;
  const cut = Object.fromEntries(
    Object.entries(entry.facets).map(([name, value]) => [
      name.slice(0, MAX_FACET_CHARS),
      value.slice(0, MAX_FACET_CHARS),
    ]),
  );
  const shortened = head + JSON.stringify(cut);
  // Many facets can still add up: then the entry keeps only what counting needs.
  return Buffer.byteLength(shortened, 'utf8') <= MAX_ENTRY_BYTES ? shortened : head;
}

/** The entry a member encodes, or undefined for a member this code did not write. */
export function decodeEntry(key: string, member: string): CounterEntry | undefined {
  const first = member.indexOf('|');
  const second = member.indexOf('|', first + 1);
  if (first !== 9 || second < 0) return undefined;
  const time = Number.parseInt(member.slice(0, first), 36);
  if (!Number.isFinite(time)) return undefined;
  try {
    const eventId = decodeURIComponent(member.slice(first + 1, second));
    const facetsText = member.slice(second + 1);
    if (facetsText === '') return { key, time, eventId };
    const facets: unknown = JSON.parse(facetsText);
    if (typeof facets !== 'object' || facets === null || Array.isArray(facets)) return undefined;
    return { key, time, eventId, facets: facets as Record<string, string> };
  } catch {
    return undefined;
  }
}

/** Default for how long items outlive the event time they are needed until: covers lateness and replays. */
export const DEFAULT_RETENTION_MS = 2 * 86_400_000;

/** DynamoDB TTL value (epoch seconds) for an item needed until `until` (ms), kept `retentionMs` longer. */
export function ttlSeconds(until: number, retentionMs: number, now: number): number {
  // Wall clock as a floor: a replay of an old trail must not write items the TTL sweeper may already delete.
  return Math.ceil((Math.max(until, now) + retentionMs) / 1000);
}
