import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type QueryCommandOutput,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Finding } from '../engine/finding.ts';
import { mapLimit } from '../state/map-limit.ts';
import { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../state/table-definition.ts';
import { keyOf, N, QUEUE_PK, queueSk, S } from './dynamodb-outbox-keys.ts';
import type { Attempt, Delivery, DeliveryKey, Outbox, PendingDelivery } from './outbox.ts';
import { boundedFindingJson } from './sns-message.ts';

/**
 * The outbox in the trailguard state table (lib/state/table-definition.ts), next to the counters (`c#`),
 * claims (`f#`) and remembered values (`m#`):
 *
 * - a delivery: `o#<finding id>` / `<sink>` with its state `st` (pending, sent, failed), attempts `n`,
 *   lease `ls` (epoch ms), last error `err`, created `c`, and `q`, the sort key of its queue item;
 * - while pending, a queue item: `o!queue` / `<created, base 36>#<finding id>#<sink>` holding the finding
 *   JSON `f`, so `pending` is one Query over one partition, oldest first, that never reads sent ones.
 *
 * Recording writes both in one transaction (conditional on the delivery not existing, so recording again
 * changes nothing); marking sent or given up updates the delivery and deletes its queue item in one
 * transaction. `begin` is a conditional UpdateItem (pending and not leased), so of two Lambda instances
 * flushing at once only one sends each delivery. Every item carries a TTL (`ttl`, epoch seconds).
 */

const DEFAULT_RETENTION_MS = 30 * 86_400_000;
const PARALLEL = 8;
/** DynamoDB items hold 400 KB; a finding larger than this loses its details (see boundedFindingJson). */
const MAX_FINDING_BYTES = 300 * 1024;

export interface DynamoDbOutboxOptions {
  /** How long deliveries (and the markers that stop re-sends) are kept; default 30 days. */
  retentionMs?: number;
}

/** True when a transaction was cancelled only because its first item's condition failed. */
function conditionFailedFirst(error: unknown): boolean {
  if (!(error instanceof TransactionCanceledException)) return false;
  const reasons = error.CancellationReasons ?? [];
  return reasons[0]?.Code === 'ConditionalCheckFailed' && reasons.slice(1).every((r) => r.Code === 'None');
}

export class DynamoDbOutbox implements Outbox {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #retentionMs: number;

  constructor(client: DynamoDBClient, tableName: string, options: DynamoDbOutboxOptions = {}) {
    this.#client = client;
    this.#table = tableName;
    this.#retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  }

  /** The wall clock is the floor, as for state items: a TTL in the past is deleted by DynamoDB at once. */
  #ttl(now: number): AttributeValue {
    return N(Math.ceil((Math.max(now, Date.now()) + this.#retentionMs) / 1000));
  }

  async record(deliveries: readonly Delivery[], now: number): Promise<void> {
    await mapLimit(deliveries, PARALLEL, async (delivery) => {
      const q = queueSk(now, delivery);
      const items: TransactWriteItem[] = [
        {
          Put: {
            TableName: this.#table,
            Item: {
              ...keyOf(delivery),
              st: S('pending'),
              n: N(0),
              c: N(now),
              q: S(q),
              [TTL_ATTRIBUTE]: this.#ttl(now),
            },
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': PARTITION_KEY },
          },
        },
        {
          Put: {
            TableName: this.#table,
            Item: {
              [PARTITION_KEY]: S(QUEUE_PK),
              [SORT_KEY]: S(q),
              fid: S(delivery.findingId),
              sink: S(delivery.sink),
              f: S(boundedFindingJson(delivery.finding, MAX_FINDING_BYTES)),
              c: N(now),
              [TTL_ATTRIBUTE]: this.#ttl(now),
            },
          },
        },
      ];
      try {
        await this.#client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      } catch (error) {
        // Already recorded (pending, sent or given up): leave it as it is.
        if (!conditionFailedFirst(error)) throw error;
      }
    });
  }

  async #query(limit: number | undefined, count: boolean): Promise<QueryCommandOutput[]> {
    const pages: QueryCommandOutput[] = [];
    let start: Record<string, AttributeValue> | undefined;
    let seen = 0;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: '#pk = :q',
          ExpressionAttributeNames: { '#pk': PARTITION_KEY },
          ExpressionAttributeValues: { ':q': S(QUEUE_PK) },
          ConsistentRead: true,
          Select: count ? 'COUNT' : 'ALL_ATTRIBUTES',
          Limit: limit === undefined ? undefined : limit - seen,
          ExclusiveStartKey: start,
        }),
      );
      pages.push(page);
      seen += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start && (limit === undefined || seen < limit));
    return pages;
  }

  async pending(limit: number): Promise<PendingDelivery[]> {
    if (limit <= 0) return [];
    const found: PendingDelivery[] = [];
    for (const page of await this.#query(limit, false)) {
      for (const item of page.Items ?? []) {
        const findingId = item.fid?.S;
        const sink = item.sink?.S;
        const createdAt = Number(item.c?.N);
        if (findingId === undefined || sink === undefined || !Number.isFinite(createdAt)) continue;
        let finding: Finding;
        try {
          finding = JSON.parse(item.f?.S ?? '') as Finding;
        } catch {
          continue;
        }
        found.push({ findingId, sink, finding, createdAt });
      }
    }
    return found;
  }

  async countPending(): Promise<number> {
    let total = 0;
    for (const page of await this.#query(undefined, true)) total += page.Count ?? 0;
    return total;
  }

  async begin(key: DeliveryKey, now: number, leaseMs: number): Promise<Attempt | undefined> {
    try {
      const output = await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: keyOf(key),
          UpdateExpression: 'SET #ls = :until ADD #n :one',
          ConditionExpression: '#st = :pending AND (attribute_not_exists(#ls) OR #ls <= :now)',
          ExpressionAttributeNames: { '#ls': 'ls', '#n': 'n', '#st': 'st' },
          ExpressionAttributeValues: {
            ':until': N(now + leaseMs),
            ':one': N(1),
            ':pending': S('pending'),
            ':now': N(now),
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return { attempts: Number(output.Attributes?.n?.N ?? 1) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async #finish(key: DeliveryKey, state: 'sent' | 'failed', now: number, error?: string): Promise<void> {
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: keyOf(key), ConsistentRead: true }),
    );
    const q = Item?.q?.S;
    if (Item === undefined || q === undefined) return;
    const names: Record<string, string> = { '#st': 'st', '#done': 'done', '#ls': 'ls' };
    const values: Record<string, AttributeValue> = { ':st': S(state), ':now': N(now) };
    let set = 'SET #st = :st, #done = :now';
    if (error !== undefined) {
      names['#err'] = 'err';
      values[':err'] = S(error);
      set += ', #err = :err';
    }
    await this.#client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.#table,
              Key: keyOf(key),
              UpdateExpression: `${set} REMOVE #ls`,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            },
          },
          { Delete: { TableName: this.#table, Key: { [PARTITION_KEY]: S(QUEUE_PK), [SORT_KEY]: S(q) } } },
        ],
      }),
    );
  }

  markSent(key: DeliveryKey, now: number): Promise<void> {
    return this.#finish(key, 'sent', now);
  }

  async markFailed(key: DeliveryKey, error: string, giveUp: boolean, now: number): Promise<void> {
    if (giveUp) return this.#finish(key, 'failed', now, error);
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: keyOf(key),
          UpdateExpression: 'SET #err = :err REMOVE #ls',
          ConditionExpression: '#st = :pending',
          ExpressionAttributeNames: { '#err': 'err', '#ls': 'ls', '#st': 'st' },
          ExpressionAttributeValues: { ':err': S(error), ':pending': S('pending') },
        }),
      );
    } catch (caught) {
      if (!(caught instanceof ConditionalCheckFailedException)) throw caught;
    }
  }
}
