import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type KeysAndAttributes,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { type DynamoContext, PARALLEL_REQUESTS, retryUnprocessed } from './dynamodb-context.ts';
import { partitionKey, SINGLE_ITEM_SORT_KEY, ttlSeconds } from './dynamodb-keys.ts';
import { mapLimit } from './map-limit.ts';
import type { MemoryEntry } from './state-port.ts';
import { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from './table-definition.ts';

/** DynamoDB's limits per BatchWriteItem and BatchGetItem request. */
const WRITE_BATCH = 25;
const GET_BATCH = 100;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Remembered values: one item per key (`v` the value, `x` the event-time expiry in ms), written with
 * BatchWriteItem (25 per request) and read with strongly consistent BatchGetItem (100 per request), with
 * unprocessed items retried with backoff. Items past their TTL are treated as gone.
 */
export class DynamoMemory {
  readonly #context: DynamoContext;

  constructor(context: DynamoContext) {
    this.#context = context;
  }

  async remember(entries: readonly MemoryEntry[]): Promise<void> {
    const { client, table, stats, now, retentionMs } = this.#context;
    // Last write wins, as in memory; a BatchWriteItem may not name one key twice anyway.
    const byKey = new Map<string, MemoryEntry>();
    for (const entry of entries) byKey.set(entry.key, entry);
    const requests: WriteRequest[] = [...byKey.values()].map((entry) => ({
      PutRequest: {
        Item: {
          [PARTITION_KEY]: { S: partitionKey('memory', entry.key) },
          [SORT_KEY]: { S: SINGLE_ITEM_SORT_KEY },
          v: { S: entry.value },
          x: { N: String(entry.expiresAt) },
          [TTL_ATTRIBUTE]: { N: String(ttlSeconds(entry.expiresAt, retentionMs, now())) },
        },
      },
    }));
    await mapLimit(chunks(requests, WRITE_BATCH), PARALLEL_REQUESTS, (chunk) =>
      retryUnprocessed(
        { [table]: chunk },
        async (RequestItems) => {
          const output = await stats.track(
            'BatchWriteItem',
            'memory',
            client.send(new BatchWriteItemCommand({ RequestItems })),
          );
          const left = output.UnprocessedItems?.[table];
          return left && left.length > 0 ? { [table]: left } : undefined;
        },
        `remember in ${table}`,
      ),
    );
  }

  async recall(keys: readonly string[]): Promise<Map<string, MemoryEntry>> {
    const { client, table, stats, now } = this.#context;
    const keyOf = new Map<string, string>();
    for (const key of keys) keyOf.set(partitionKey('memory', key), key);
    const found = new Map<string, MemoryEntry>();
    const nowSeconds = Math.floor(now() / 1000);
    const collect = (items: Record<string, AttributeValue>[] | undefined) => {
      for (const item of items ?? []) {
        const key = keyOf.get(item[PARTITION_KEY]?.S ?? '');
        const value = item.v?.S;
        const expiresAt = Number(item.x?.N);
        const ttl = Number(item[TTL_ATTRIBUTE]?.N);
        if (key === undefined || value === undefined || !Number.isFinite(expiresAt) || !(ttl > nowSeconds))
          continue;
        found.set(key, { key, value, expiresAt });
      }
    };
    await mapLimit(chunks([...keyOf.keys()], GET_BATCH), PARALLEL_REQUESTS, (chunk) => {
      const request: KeysAndAttributes = {
        Keys: chunk.map((pk) => ({ [PARTITION_KEY]: { S: pk }, [SORT_KEY]: { S: SINGLE_ITEM_SORT_KEY } })),
        ConsistentRead: true,
        ProjectionExpression: '#pk, v, x, #ttl',
        ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#ttl': TTL_ATTRIBUTE },
      };
      return retryUnprocessed(
        { [table]: request },
        async (RequestItems) => {
          const output = await stats.track(
            'BatchGetItem',
            'memory',
            client.send(new BatchGetItemCommand({ RequestItems })),
          );
          collect(output.Responses?.[table]);
          const left = output.UnprocessedKeys?.[table];
          return left?.Keys && left.Keys.length > 0 ? { [table]: left } : undefined;
        },
        `recall from ${table}`,
      );
    });
    const result = new Map<string, MemoryEntry>();
    for (const key of keys) {
      const entry = found.get(key);
      if (entry) result.set(key, entry);
    }
    return result;
  }
}
