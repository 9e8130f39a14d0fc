import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbOutbox } from '../../../lib/alerts/dynamodb-outbox.ts';
import { localClient } from '../../helpers/dynamodb-local.ts';
import { createTestTable, sharedDynamoDb } from '../../helpers/shared-dynamodb.ts';
import { describeOutboxContract, outboxFinding } from './outbox-contract.ts';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const delivery = (n: number, sink = 'slack:#sec') => ({
  findingId: outboxFinding(n).id,
  sink,
  finding: outboxFinding(n),
});

let endpoint: string;
const clients: DynamoDBClient[] = [];
function client(): DynamoDBClient {
  const made = localClient(endpoint);
  clients.push(made);
  return made;
}

beforeAll(async () => {
  endpoint = await sharedDynamoDb();
});
afterAll(() => {
  for (const made of clients) made.destroy();
});

describeOutboxContract('DynamoDbOutbox', async () => {
  const c = client();
  return new DynamoDbOutbox(c, await createTestTable(c, 'outbox-contract'));
});

/** Every item in the table (DynamoDB Local may page even a small scan). */
async function items(c: DynamoDBClient, table: string) {
  const all: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await c.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    all.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return all.map((item) => ({
    pk: item.pk?.S,
    sk: item.sk?.S,
    st: item.st?.S,
    ttl: Number(item.ttl?.N),
  }));
}

describe('DynamoDbOutbox', () => {
  it('keeps deliveries under o# and the pending queue under o!queue, every item with a TTL', async () => {
    const c = client();
    const table = await createTestTable(c, 'outbox-items');
    const outbox = new DynamoDbOutbox(c, table, { retentionMs: 86_400_000 });
    await outbox.record([delivery(1), delivery(1, 'sns:arn:aws:sns:us-east-1:111122223333:t')], T0);
    let stored = await items(c, table);
    expect(stored.filter((i) => i.pk === `o#${outboxFinding(1).id}`).map((i) => [i.sk, i.st])).toEqual([
      ['slack:#sec', 'pending'],
      ['sns:arn:aws:sns:us-east-1:111122223333:t', 'pending'],
    ]);
    expect(stored.filter((i) => i.pk === 'o!queue')).toHaveLength(2);
    // T0 is in the past: the TTL counts from the wall clock, or DynamoDB would delete the items at once.
    const floor = Math.floor((Date.now() + 86_400_000) / 1000) - 60;
    for (const item of stored) expect(item.ttl).toBeGreaterThan(floor);
    expect(stored.every((i) => /^o[#!]/.test(i.pk ?? ''))).toBe(true);

    await outbox.begin(delivery(1), T0, 1000);
    await outbox.markSent(delivery(1), T0 + 1);
    stored = await items(c, table);
    expect(stored.filter((i) => i.pk === 'o!queue')).toHaveLength(1);
    expect(stored.find((i) => i.sk === 'slack:#sec')?.st).toBe('sent');
  });

  it('lets exactly one of two racing processes take a delivery', async () => {
    const c = client();
    const table = await createTestTable(c, 'outbox-race');
    await new DynamoDbOutbox(c, table).record([delivery(1), delivery(2), delivery(3)], T0);
    const a = new DynamoDbOutbox(client(), table);
    const b = new DynamoDbOutbox(client(), table);
    for (const n of [1, 2, 3]) {
      const results = await Promise.all([a.begin(delivery(n), T0, 60_000), b.begin(delivery(n), T0, 60_000)]);
      expect(results.filter((r) => r !== undefined)).toEqual([{ attempts: 1 }]);
    }
  });

  it('stores findings too large for one item without their details', async () => {
    const c = client();
    const table = await createTestTable(c, 'outbox-large');
    const outbox = new DynamoDbOutbox(c, table);
    const big = { ...outboxFinding(1), details: { request: { policy: 'p'.repeat(500_000) } } };
    await outbox.record([{ findingId: big.id, sink: 'slack:#sec', finding: big }], T0);
    const [pending] = await outbox.pending(1);
    expect(pending?.finding.id).toBe(big.id);
    expect(String(pending?.finding.details?.truncated)).toMatch(/details dropped/);
  });
});
