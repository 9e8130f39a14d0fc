import {
  type AttributeValue,
  ConditionalCheckFailedException,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type DynamoContext, PARALLEL_REQUESTS } from './dynamodb-context.ts';
import {
  BUCKET_MS,
  bucketOf,
  bucketRange,
  bucketSortKey,
  encodeEntry,
  partitionKey,
  ttlSeconds,
  WINDOW_SORT_KEY,
} from './dynamodb-keys.ts';
import { mapLimit } from './map-limit.ts';
import type { CounterEntry } from './state-port.ts';
import { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from './table-definition.ts';

/**
 * Bytes of entries a bucket item takes before the next shard of that bucket does. Far below DynamoDB's
 * 400 KB item limit on purpose: an UpdateItem costs one write unit per KB of the item it changes, and one
 * partition takes at most 1,000 write units a second, so small items keep a hot key writable (about 15
 * writes a second of up to `CHUNK_BYTES` each, some 2,000 events a second).
 */
export const SHARD_BYTES = 64_000;
/** Bytes of entries one UpdateItem adds at most (half a shard, so a shard takes at least two). */
const CHUNK_BYTES = 32_000;
/** Sort keys have three base-36 digits of shard. */
const MAX_SHARD = 36 ** 3 - 1;
/** Remembered current shards (per process); beyond this the map starts over (a miss costs one request). */
const MAX_CACHED_SHARDS = 10_000;

interface Chunk {
  pk: string;
  bucket: number;
  members: string[];
  bytes: number;
}

/**
 * Counter buckets: one item per (key, minute bucket, shard) holding a string set `e` of encoded entries.
 * Adding is `ADD` of the encoded entries, which DynamoDB makes idempotent; a batch costs one UpdateItem
 * per (key, bucket), whatever the number of events. Buckets hold what the live window item does not
 * (see DynamoCounters): replays of old trails, events later than the live horizon, and hot keys.
 *
 * Hot keys: a bucket item takes entries until `SHARD_BYTES` were added to it (`b`, redeliveries included,
 * so it only overestimates); a writer whose chunk does not fit moves on to the next shard and remembers it,
 * so each new shard costs one failed conditional write per process. A key's rate is thus not capped by the
 * item limit (each shard holds some 400 entries of 150 bytes, and a minute may have up to 46,656 shards);
 * what caps it is the partition's write throughput, above.
 */
export class DynamoBuckets {
  readonly #context: DynamoContext;
  readonly #shards = new Map<string, number>();

  constructor(context: DynamoContext) {
    this.#context = context;
  }

  /** Writes entries already deduplicated per key: one UpdateItem per (key, bucket) chunk. */
  async write(entries: readonly CounterEntry[]): Promise<void> {
    const chunks = new Map<string, Chunk[]>();
    for (const entry of entries) {
      const pk = partitionKey('counter', entry.key);
      const bucket = bucketOf(entry.time);
      const member = encodeEntry(entry);
      const bytes = Buffer.byteLength(member, 'utf8') + 1;
      const id = `${pk}\n${bucket}`;
      const list = chunks.get(id) ?? [];
      chunks.set(id, list);
      let chunk = list.at(-1);
      if (!chunk || chunk.bytes + bytes > CHUNK_BYTES) {
        chunk = { pk, bucket, members: [], bytes: 0 };
        list.push(chunk);
      }
      chunk.members.push(member);
      chunk.bytes += bytes;
    }
    await mapLimit([...chunks.values()].flat(), PARALLEL_REQUESTS, (chunk) => this.#write(chunk));
  }

  async #write(chunk: Chunk): Promise<void> {
    const { client, table, stats, now, retentionMs } = this.#context;
    const cacheKey = `${chunk.pk}\n${chunk.bucket}`;
    let shard = this.#shards.get(cacheKey) ?? 0;
    const ttl = ttlSeconds((chunk.bucket + 1) * BUCKET_MS, retentionMs, now());
    for (;;) {
      try {
        await stats.track(
          'UpdateItem',
          'counters',
          client.send(
            new UpdateItemCommand({
              TableName: table,
              Key: {
                [PARTITION_KEY]: { S: chunk.pk },
                [SORT_KEY]: { S: bucketSortKey(chunk.bucket, shard) },
              },
              UpdateExpression: 'ADD #e :e, #b :b SET #ttl = :ttl',
              ConditionExpression: 'attribute_not_exists(#b) OR #b <= :room',
              ExpressionAttributeNames: { '#e': 'e', '#b': 'b', '#ttl': TTL_ATTRIBUTE },
              ExpressionAttributeValues: {
                ':e': { SS: chunk.members },
                ':b': { N: String(chunk.bytes) },
                ':ttl': { N: String(ttl) },
                ':room': { N: String(SHARD_BYTES - chunk.bytes) },
              },
            }),
          ),
        );
        break;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        if (shard >= MAX_SHARD) throw new Error(`counter bucket ${cacheKey} has no shard left`);
        shard++;
      }
    }
    if (shard > 0) {
      if (this.#shards.size >= MAX_CACHED_SHARDS) this.#shards.clear();
      this.#shards.set(cacheKey, shard);
    }
  }

  /**
   * Every item of `key` whose buckets overlap `[from, to]`, strongly consistent, past-TTL items left out.
   * With `withWindow` the range runs on to the live window item, which sorts after every bucket, so one
   * Query returns both (and the few buckets after `to`, which callers filter out by time).
   */
  async query(
    key: string,
    from: number,
    to: number,
    withWindow: boolean,
  ): Promise<Record<string, AttributeValue>[]> {
    const { client, table, stats, now } = this.#context;
    const { low, high } = bucketRange(from, to);
    const items: Record<string, AttributeValue>[] = [];
    let startKey: QueryCommand['input']['ExclusiveStartKey'];
    do {
      const page = await stats.track(
        'Query',
        'counters',
        client.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :low AND :high',
            // TTL deletion lags by days: an item past its TTL is treated as gone whether or not it still is.
            FilterExpression: '#ttl > :now',
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
            ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY, '#ttl': TTL_ATTRIBUTE },
            ExpressionAttributeValues: {
              ':pk': { S: partitionKey('counter', key) },
              ':low': { S: low },
              ':high': { S: withWindow ? WINDOW_SORT_KEY : high },
              ':now': { N: String(Math.floor(now() / 1000)) },
            },
          }),
        ),
      );
      if (page.Items) items.push(...page.Items);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}
