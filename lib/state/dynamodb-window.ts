import {
  type AttributeValue,
  ConditionalCheckFailedException,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { DynamoContext } from './dynamodb-context.ts';
import {
  BUCKET_MS,
  bucketOf,
  bucketOfAttribute,
  decodeEntry,
  encodeEntry,
  minuteAttribute,
  partitionKey,
  ttlSeconds,
  WINDOW_SORT_KEY,
} from './dynamodb-keys.ts';
import type { CounterEntry } from './state-port.ts';
import { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from './table-definition.ts';

/**
 * How far behind the wall clock the live window item keeps entries. Entries at or after `now - horizon`
 * are written to it and nowhere else; a read whose window starts at or after `now - horizon + skew` needs
 * nothing else. 90 minutes covers the default lookbacks (65 minutes for `access-denied-spike`, one hour
 * for `agent-change-rate`) plus EventBridge's delivery delay of seconds to minutes; longer windows still
 * work, with a Query. Every process must use the same value: it is a constant, not configuration.
 */
export const LIVE_HORIZON_MS = 90 * 60_000;
/** Clock difference tolerated between processes (Lambda instances keep NTP time to well under this). */
export const CLOCK_SKEW_MS = 60_000;
/**
 * Entry bytes beyond which a key's window item stops taking entries for `HOT_HOLD_MS`. An UpdateItem is
 * billed one write unit per KB of the item, so a noisy key would pay more per event in writes than the
 * Query it saves costs, and a partition takes 1,000 write units a second; 8 KB holds a default-threshold
 * spike with its evidence (some 50 entries of ~150 bytes) and keeps a write at 8 units at most. Hot keys go
 * to buckets: one UpdateItem and one Query per batch.
 */
export const WINDOW_CAP_BYTES = 8192;
const HOT_HOLD_MS = 10 * 60_000;
/** Stale minute attributes removed per write at most (expression size); the rest go in later writes. */
const MAX_REMOVALS = 40;
/** Per-process memory of hot keys and stale attributes; beyond this it starts over (costs one write). */
const MAX_CACHED_KEYS = 10_000;

/** A live window item as the last request that touched it returned it. */
export interface WindowItem {
  entries: CounterEntry[];
  /** Entries up to this event time (ms) may be in buckets instead: a read reaching back to it must Query. */
  hotUntil?: number;
  /** Bytes of the encoded entries, stale ones included (what the next write is billed on, roughly). */
  bytes: number;
}

/** Whether `item` holds every entry of `[from, to]` for a read made at wall-clock `now`. */
export function windowHolds(item: WindowItem | undefined, from: number, now: number): item is WindowItem {
  if (item === undefined || from < now - LIVE_HORIZON_MS + CLOCK_SKEW_MS) return false;
  return item.hotUntil === undefined || item.hotUntil < from;
}

/** Whether a read of `[.., to]` at `now` may find entries in the window item. */
export function windowOverlaps(to: number, now: number): boolean {
  return to >= now - LIVE_HORIZON_MS - CLOCK_SKEW_MS;
}

/** Whether an entry at `time` belongs in the window item (else in a bucket). */
export function isLive(time: number, now: number, hotUntil: number | undefined): boolean {
  return time >= now - LIVE_HORIZON_MS && (hotUntil === undefined || time > hotUntil);
}

/** Entries of a window item (from a write's ALL_NEW or a Query) and its hot mark. */
export function parseWindowItem(key: string, item: Record<string, AttributeValue>): WindowItem {
  const entries: CounterEntry[] = [];
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    if (bucketOfAttribute(name) === undefined) continue;
    for (const member of value.SS ?? []) {
      bytes += member.length + 1;
      const entry = decodeEntry(key, member);
      if (entry) entries.push(entry);
    }
  }
  const hot = item.h?.N === undefined ? undefined : Number(item.h.N);
  return hot === undefined ? { entries, bytes } : { entries, bytes, hotUntil: hot };
}

/**
 * The live window item of a counter key (`c#<key>` / `~w`): one attribute per minute bucket, each a string
 * set of encoded entries, and `h`, the event time up to which the key was hot. Adding entries is one
 * UpdateItem that returns the whole item (ReturnValues ALL_NEW, which costs no read units), so a live event
 * is counted and its window read in ONE request. `ADD` to a set is idempotent, so redelivery changes
 * nothing, and concurrent writers never lose each other's entries.
 *
 * Minutes older than the horizon and the reach (`reachMs`: the longest lookback plus the engine's
 * lateness) are removed by later writes (this process remembers the stale names it saw): no writer puts an
 * entry there any more, and no read of an event delivered within the lateness reaches back that far. An
 * event delivered later than that is still judged, on buckets and what the item still holds: its window
 * may miss live entries already removed (the CLI's replays, which write buckets, are not affected).
 *
 * A key whose item passes `WINDOW_CAP_BYTES` is marked hot (`h`, only ever raised) and its next entries
 * go to buckets until the mark passes; reads reaching back to the mark Query buckets and item together.
 */
export class DynamoWindows {
  readonly #context: DynamoContext;
  readonly #hot = new Map<string, number>();
  readonly #stale = new Map<string, string[]>();

  constructor(context: DynamoContext) {
    this.#context = context;
  }

  /** The hot mark this process last saw for `key`. */
  hotUntil(key: string): number | undefined {
    return this.#hot.get(key);
  }

  /** Adds live entries of one key (deduplicated, encoded together below the cap) and returns the item. */
  async write(key: string, entries: readonly CounterEntry[]): Promise<WindowItem> {
    const { now, retentionMs } = this.#context;
    const byMinute = new Map<string, string[]>();
    let newest = 0;
    for (const entry of entries) {
      const name = minuteAttribute(bucketOf(entry.time));
      const members = byMinute.get(name) ?? [];
      byMinute.set(name, members);
      members.push(encodeEntry(entry));
      if (entry.time > newest) newest = entry.time;
    }
    const names: Record<string, string> = { '#ttl': TTL_ATTRIBUTE };
    const values: Record<string, AttributeValue> = {
      ':ttl': { N: String(ttlSeconds((bucketOf(newest) + 1) * BUCKET_MS, retentionMs, now())) },
    };
    const adds: string[] = [];
    for (const [name, members] of byMinute) {
      const i = adds.length;
      names[`#a${i}`] = name;
      values[`:a${i}`] = { SS: members };
      adds.push(`#a${i} :a${i}`);
    }
    const removals = (this.#stale.get(key) ?? [])
      .filter((name) => !byMinute.has(name))
      .slice(0, MAX_REMOVALS);
    removals.forEach((name, i) => {
      names[`#r${i}`] = name;
    });
    const attributes = await this.#update(key, {
      UpdateExpression:
        `ADD ${adds.join(', ')} SET #ttl = :ttl` +
        (removals.length > 0 ? ` REMOVE ${removals.map((_, i) => `#r${i}`).join(', ')}` : ''),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    const item = this.#learn(key, attributes);
    if (item.bytes > WINDOW_CAP_BYTES) return this.markHot(key, Math.max(now(), newest) + HOT_HOLD_MS);
    return item;
  }

  /**
   * Raises the key's hot mark to `until` (never lowers it: a writer that sent entries to buckets under the
   * old mark must stay covered) and returns the item.
   */
  async markHot(key: string, until: number): Promise<WindowItem> {
    const { now, retentionMs } = this.#context;
    try {
      return this.#learn(
        key,
        await this.#update(key, {
          UpdateExpression: 'SET #h = :h, #ttl = if_not_exists(#ttl, :ttl)',
          ConditionExpression: 'attribute_not_exists(#h) OR #h < :h',
          ExpressionAttributeNames: { '#h': 'h', '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':h': { N: String(until) },
            ':ttl': { N: String(ttlSeconds(until, retentionMs, now())) },
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      // Someone raised it further already: the item as it is says how far.
      if (error instanceof ConditionalCheckFailedException) return this.#learn(key, error.Item ?? {});
      throw error;
    }
  }

  /** One UpdateItem of the key's window item, returning the item as it is afterwards (no read units). */
  async #update(
    key: string,
    input: Omit<UpdateItemCommandInput, 'TableName' | 'Key' | 'ReturnValues'>,
  ): Promise<Record<string, AttributeValue>> {
    const { client, table, stats } = this.#context;
    const output = await stats.track(
      'UpdateItem',
      'counters',
      client.send(
        new UpdateItemCommand({
          ...input,
          TableName: table,
          Key: { [PARTITION_KEY]: { S: partitionKey('counter', key) }, [SORT_KEY]: { S: WINDOW_SORT_KEY } },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return output.Attributes ?? {};
  }

  /** Parses an item and remembers what the next write needs: its hot mark and its stale minutes. */
  #learn(key: string, attributes: Record<string, AttributeValue>): WindowItem {
    const item = parseWindowItem(key, attributes);
    const { now, reachMs } = this.#context;
    const staleBefore = bucketOf(now() - Math.max(LIVE_HORIZON_MS, reachMs) - CLOCK_SKEW_MS);
    const stale = Object.keys(attributes).filter((name) => {
      const bucket = bucketOfAttribute(name);
      return bucket !== undefined && bucket < staleBefore;
    });
    remember(this.#stale, key, stale.length > 0 ? stale : undefined);
    remember(this.#hot, key, item.hotUntil);
    return item;
  }
}

function remember<T>(map: Map<string, T>, key: string, value: T | undefined): void {
  if (value === undefined) {
    map.delete(key);
    return;
  }
  if (map.size >= MAX_CACHED_KEYS && !map.has(key)) map.clear();
  map.set(key, value);
}
