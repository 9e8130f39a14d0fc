import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbOutbox } from '../../../lib/alerts/dynamodb-outbox.ts';
import { createTestTable, dynamoDbClients } from '../../helpers/shared-dynamodb.ts';
import { describeOutboxContract, outboxFinding } from './outbox-contract.ts';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const delivery = (n: number, sink = 'slack:#sec') => ({
  findingId: outboxFinding(n).id,
  sink,
  finding: outboxFinding(n),
});

const client = dynamoDbClients();

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
    // Deliveries and queue under o, the finding's history under h#<its UTC day>.
    expect(stored.filter((i) => !/^o[#!]/.test(i.pk ?? '')).map((i) => [i.pk, i.sk])).toEqual([
      ['h#2026-11-20', `2026-11-20T09:31:00.000Z#${outboxFinding(1).id}`],
    ]);

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

describe('DynamoDbOutbox.listFindings', () => {
  const SNS = 'sns:arn:aws:sns:us-east-1:111122223333:t';
  const at = (n: number, time: string) => ({ ...outboxFinding(n), time });
  const to = (finding: ReturnType<typeof at>, sink = 'slack:#sec') => ({
    findingId: finding.id,
    sink,
    finding,
  });
  const day1late = at(1, '2026-11-19T23:59:59.999Z');
  const day2early = at(2, '2026-11-20T00:00:00.000Z');
  const day2 = at(3, '2026-11-20T09:31:00.000Z');
  const day3 = at(4, '2026-11-21T00:00:00.000Z');

  async function listed(outbox: DynamoDbOutbox, from: string, until: string) {
    const found = [];
    for await (const entry of outbox.listFindings(Date.parse(from), Date.parse(until))) found.push(entry);
    return found;
  }

  it('lists the findings of a time range across days, oldest first, with each delivery state', async () => {
    const c = client();
    const outbox = new DynamoDbOutbox(c, await createTestTable(c, 'outbox-history'));
    await outbox.record([to(day2), to(day2, SNS), to(day1late)], T0);
    await outbox.record([to(day3), to(day2early)], T0 + 1);
    await outbox.begin(to(day2), T0, 1000);
    await outbox.markSent(to(day2), T0 + 2);
    await outbox.begin(to(day2, SNS), T0, 1000);
    await outbox.markFailed(to(day2, SNS), 'AuthorizationError', false, T0 + 3);
    await outbox.begin(to(day2, SNS), T0 + 5000, 1000);
    await outbox.markFailed(to(day2, SNS), 'AuthorizationError', true, T0 + 5001);

    const found = await listed(outbox, '2026-11-19T12:00:00Z', '2026-11-21T00:00:00Z');
    expect(found.map((f) => [f.finding.time, f.finding.id, f.deliveries])).toEqual([
      [day1late.time, day1late.id, [{ sink: 'slack:#sec', status: 'pending', attempts: 0 }]],
      [day2early.time, day2early.id, [{ sink: 'slack:#sec', status: 'pending', attempts: 0 }]],
      [
        day2.time,
        day2.id,
        [
          { sink: 'slack:#sec', status: 'sent', attempts: 1 },
          { sink: SNS, status: 'failed', attempts: 2 },
        ],
      ],
    ]);
    expect(found[2]?.finding).toEqual(day2);
    // `from` is inclusive, `to` exclusive; an empty or reversed range lists nothing.
    expect((await listed(outbox, day2early.time, day2.time)).map((f) => f.finding.id)).toEqual([
      day2early.id,
    ]);
    expect((await listed(outbox, day3.time, '2026-11-22T00:00:00Z')).map((f) => f.finding.id)).toEqual([
      day3.id,
    ]);
    expect(await listed(outbox, day2.time, day2.time)).toEqual([]);
    expect(await listed(outbox, '2026-11-22T00:00:00Z', '2026-11-19T00:00:00Z')).toEqual([]);
  });

  it('keeps one history item per finding when it is recorded again, also for a new sink', async () => {
    const c = client();
    const table = await createTestTable(c, 'outbox-history-again');
    const outbox = new DynamoDbOutbox(c, table);
    await outbox.record([to(day2)], T0);
    await outbox.begin(to(day2), T0, 1000);
    await outbox.markSent(to(day2), T0 + 1);
    await outbox.record([to(day2), to(day2)], T0 + 2);
    await outbox.record([to(day2), to(day2, SNS)], T0 + 3);
    const history = (await items(c, table)).filter((i) => i.pk?.startsWith('h#'));
    expect(history.map((i) => i.sk)).toEqual([`${day2.time}#${day2.id}`]);
    const found = await listed(outbox, '2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z');
    expect(found.map((f) => f.deliveries)).toEqual([
      [
        { sink: 'slack:#sec', status: 'sent', attempts: 1 },
        { sink: SNS, status: 'pending', attempts: 0 },
      ],
    ]);
  });

  it('pages through a day with more findings than one Query returns', async () => {
    const c = client();
    const outbox = new DynamoDbOutbox(c, await createTestTable(c, 'outbox-history-pages'));
    const big = (n: number) => ({
      ...at(100 + n, `2026-11-20T10:${String(n).padStart(2, '0')}:00.000Z`),
      details: { request: { policy: 'p'.repeat(200_000) } },
    });
    // 8 findings of ~200 KB: more than the 1 MB one Query page holds.
    await outbox.record(
      Array.from({ length: 8 }, (_, n) => to(big(n))),
      T0,
    );
    const found = await listed(outbox, '2026-11-20T00:00:00Z', '2026-11-21T00:00:00Z');
    expect(found.map((f) => f.finding.time)).toEqual(Array.from({ length: 8 }, (_, n) => big(n).time));
  });
});
