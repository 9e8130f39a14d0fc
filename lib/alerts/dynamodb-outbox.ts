import { createHash } from 'node:crypto';
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
 * transaction. The same transaction writes the finding's history item, `h#<UTC day of finding.time>` /
 * `<finding.time, ISO>#<finding id>` holding the finding JSON `f`, which outlives the queue item so
 * `listFindings` can answer "what fired, and did it reach Slack?" by time range. `begin` is a conditional
 * UpdateItem (pending and not leased), so of two Lambda instances flushing at once only one sends each
 * delivery. Every item carries a TTL (`ttl`, epoch seconds).
 */

const DEFAULT_RETENTION_MS = 30 * 86_400_000;
const PARALLEL = 8;
/** DynamoDB items hold 400 KB; a finding larger than this loses its details (see boundedFindingJson). */
const MAX_FINDING_BYTES = 300 * 1024;

const DAY_MS = 86_400_000;
/** The last instant `toISOString` writes with a four-digit year, so ISO sort keys sort by time. */
const MAX_ISO_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** Sort keys may be 1 KB; a longer finding id is stored by its SHA-256. */
const MAX_ID_BYTES = 900;

/** One delivery of a finding, as `listFindings` reports it. */
export interface DeliveryStatus {
  sink: string;
  /** `pending`, `sent` or `failed` (given up). */
  status: string;
  attempts: number;
}

/** A finding from the history, with the state of each of its deliveries. */
export interface RecordedFinding {
  finding: Finding;
  deliveries: DeliveryStatus[];
}

const iso = (time: number) => new Date(Math.min(Math.max(time, 0), MAX_ISO_TIME)).toISOString();
const historyPk = (day: number) => `h#${iso(day * DAY_MS).slice(0, 10)}`;

/** The history item's key: by the finding's own time (its recording time if that does not parse). */
function historyKey(finding: Finding, now: number): Record<string, AttributeValue> {
  const parsed = Date.parse(finding.time);
  const time = Number.isFinite(parsed) ? Math.min(Math.max(parsed, 0), MAX_ISO_TIME) : now;
  const id =
    Buffer.byteLength(finding.id, 'utf8') <= MAX_ID_BYTES
      ? finding.id
      : createHash('sha256').update(finding.id, 'utf8').digest('hex');
  return { [PARTITION_KEY]: S(historyPk(Math.floor(time / DAY_MS))), [SORT_KEY]: S(`${iso(time)}#${id}`) };
}

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
    // One finding's deliveries go one after another: each transaction also writes the finding's history
    // item, and two transactions on one item at once would cancel each other (TransactionConflict).
    const byFinding = new Map<string, Delivery[]>();
    for (const delivery of deliveries) {
      const group = byFinding.get(delivery.findingId);
      if (group === undefined) byFinding.set(delivery.findingId, [delivery]);
      else group.push(delivery);
    }
    await mapLimit([...byFinding.values()], PARALLEL, async (group) => {
      for (const delivery of group) await this.#recordOne(delivery, now);
    });
  }

  async #recordOne(delivery: Delivery, now: number): Promise<void> {
    const q = queueSk(now, delivery);
    const items: TransactWriteItem[] = [
      {
        Put: {
          TableName: this.#table,
          Item: {
            ...keyOf(delivery),
            sink: S(delivery.sink),
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
      {
        Put: {
          TableName: this.#table,
          Item: {
            ...historyKey(delivery.finding, now),
            f: S(boundedFindingJson(delivery.finding, MAX_FINDING_BYTES)),
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

  /**
   * The findings recorded with `from <= finding.time < to` (epoch ms), oldest first, each with the state
   * of its deliveries. One Query per UTC day in range, then one per finding for its deliveries.
   */
  async *listFindings(from: number, to: number): AsyncGenerator<RecordedFinding> {
    const lower = Math.max(from, 0);
    const upper = Math.min(to, MAX_ISO_TIME);
    if (!(lower < upper)) return;
    for (let day = Math.floor(lower / DAY_MS); day * DAY_MS < upper; day++) {
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            // `<to ISO>#<id>` sorts after `<to ISO>`: BETWEEN keeps the upper bound exclusive.
            KeyConditionExpression: '#pk = :day AND #sk BETWEEN :from AND :to',
            ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY },
            ExpressionAttributeValues: {
              ':day': S(historyPk(day)),
              ':from': S(iso(lower)),
              ':to': S(iso(upper)),
            },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        const findings: Finding[] = [];
        for (const item of page.Items ?? []) {
          try {
            findings.push(JSON.parse(item.f?.S ?? '') as Finding);
          } catch {
            // A torn or foreign item: the rest of the history is still worth listing.
          }
        }
        const deliveries = await mapLimit(findings, PARALLEL, (finding) => this.#deliveries(finding.id));
        for (const [index, finding] of findings.entries()) {
          yield { finding, deliveries: deliveries[index] ?? [] };
        }
        start = page.LastEvaluatedKey;
      } while (start);
    }
  }

  async #deliveries(findingId: string): Promise<DeliveryStatus[]> {
    const pk = keyOf({ findingId, sink: '-' })[PARTITION_KEY] as AttributeValue;
    const found: DeliveryStatus[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': PARTITION_KEY },
          ExpressionAttributeValues: { ':pk': pk },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        // Deliveries recorded before `sink` was stored have it only as the sort key.
        const sink = item.sink?.S ?? item[SORT_KEY]?.S;
        if (sink === undefined) continue;
        found.push({ sink, status: item.st?.S ?? 'unknown', attempts: Number(item.n?.N ?? 0) });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  }
}
