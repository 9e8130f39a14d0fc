import { type DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { SHARD_BYTES } from '../../../lib/state/dynamodb-buckets.ts';
import { MAX_STORED_EVENT_IDS } from '../../../lib/state/dynamodb-claims.ts';
import { DynamoDbState } from '../../../lib/state/dynamodb-state.ts';
import { MemoryState } from '../../../lib/state/memory-state.ts';
import type { ClaimRequest, CounterEntry } from '../../../lib/state/state-port.ts';
import { createTestTable, dynamoDbClients } from '../../helpers/shared-dynamodb.ts';
import { describeStateContract } from './state-contract.ts';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const MINUTE = 60_000;
const DAY = 86_400_000;

const client = dynamoDbClients();

describeStateContract('DynamoDbState', async () => {
  const c = client();
  return new DynamoDbState({ client: c, table: await createTestTable(c, 'contract') });
});

/** Every counter member in the table, for comparing whole contents. */
async function counterMembers(c: DynamoDBClient, table: string): Promise<string[]> {
  const members: string[] = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await c.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    for (const item of page.Items ?? []) if (item.pk?.S?.startsWith('c')) members.push(...(item.e?.SS ?? []));
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  return members.sort();
}

/** A small seeded PRNG (mulberry32), so the differential tests are the same on every run. */
function seeded(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

describe('DynamoDbState', () => {
  it('decides random claim sequences exactly as MemoryState, across two processes taking turns', async () => {
    const random = seeded(7);
    const table = await createTestTable(client(), 'diff-claims');
    const processes = [
      new DynamoDbState({ client: client(), table }),
      new DynamoDbState({ client: client(), table }),
    ];
    const memory = new MemoryState();
    // The finding each key last raised, so confirms can name it (as the engine does).
    const raised = new Map<string, string>();
    const seen = { reraised: 0, folded: 0 };
    for (let batch = 0; batch < 40; batch++) {
      const owner = `engine-${random(3)}`;
      const claims: ClaimRequest[] = Array.from({ length: 1 + random(8) }, (_, i) => ({
        owner,
        key: `k${random(3)}`,
        at: T0 + random(60) * MINUTE,
        cooldownMs: ([0, 5, 10, 30][random(4)] as number) * MINUTE,
        findingId: `F${batch}-${i}`,
        eventIds: Array.from({ length: random(4) }, () => `e${random(40)}`),
      }));
      const expected = await memory.claim(claims);
      expect(await processes[random(2)]?.claim(claims)).toEqual(expected);
      expected.forEach((result, i) => {
        const claim = claims[i] as ClaimRequest;
        if (result.first) raised.set(claim.key, result.findingId ?? claim.findingId);
        if (result.first && result.findingId) seen.reraised++;
        if (!result.first) seen.folded++;
      });
      const confirms = [...raised]
        .filter(() => random(3) === 0)
        .map(([key, findingId]) => ({ key, findingId }));
      await Promise.all([memory.confirm(confirms), processes[random(2)]?.confirm(confirms)]);
    }
    // The sequence met every case: takes, folds, and re-raises of unconfirmed claims.
    expect(seen.reraised).toBeGreaterThan(0);
    expect(seen.folded).toBeGreaterThan(0);
  });

  it('reads random, overlapping, redelivered entries exactly as MemoryState', async () => {
    const random = seeded(11);
    const c = client();
    const dynamo = new DynamoDbState({ client: c, table: await createTestTable(c, 'diff-counters') });
    const memory = new MemoryState();
    for (let batch = 0; batch < 12; batch++) {
      const entries = Array.from({ length: random(40) }, () => {
        const id = random(150);
        // The same event always has the same time and facets, as a redelivery would.
        return {
          key: `k${id % 4}`,
          time: T0 + id * 17_000,
          eventId: `e${id}`,
          facets: { action: `a${id % 5}` },
        };
      });
      await Promise.all([dynamo.addEntries(entries), memory.addEntries(entries)]);
      const from = T0 + random(45) * MINUTE;
      const to = from + random(20) * MINUTE + random(MINUTE);
      const keys = ['k0', 'k1', 'k2', 'k3', 'k9'].filter(() => random(3) > 0);
      const [got, want] = await Promise.all([
        dynamo.readEntries(keys, from, to),
        memory.readEntries(keys, from, to),
      ]);
      const sorted = (read: Map<string, CounterEntry[]>) =>
        new Map([...read].map(([key, list]) => [key, [...list].sort((a, b) => a.time - b.time)]));
      expect(sorted(got)).toEqual(sorted(want));
    }
  });

  it('is idempotent across processes: the same entries added by two stores leave the table unchanged', async () => {
    const c = client();
    const table = await createTestTable(c, 'idem');
    const entries = Array.from({ length: 60 }, (_, i) => ({
      key: `k${i % 3}`,
      time: T0 + i * 5000,
      eventId: `e${i}`,
      facets: { action: 'iam:ListRoles' },
    }));
    await new DynamoDbState({ client: c, table }).addEntries(entries);
    const before = await counterMembers(c, table);
    await new DynamoDbState({ client: client(), table }).addEntries([...entries].reverse());
    expect(await counterMembers(c, table)).toEqual(before);
    const read = await new DynamoDbState({ client: client(), table }).readEntries(
      ['k0', 'k1', 'k2'],
      T0,
      T0 + DAY,
    );
    expect([...read.values()].map((list) => list.length)).toEqual([20, 20, 20]);
  });

  it('two processes racing for the same claim: exactly one takes it, both raise it under its id', async () => {
    const table = await createTestTable(client(), 'race');
    const a = new DynamoDbState({ client: client(), table });
    const b = new DynamoDbState({ client: client(), table });
    for (let round = 0; round < 20; round++) {
      const key = `spike|principal-${round}`;
      const [ra, rb] = await Promise.all([
        a.claim([
          {
            owner: 'A',
            key,
            at: T0 + round,
            cooldownMs: 10 * MINUTE,
            findingId: `A${round}`,
            eventIds: [`a${round}`],
          },
        ]),
        b.claim([
          {
            owner: 'B',
            key,
            at: T0 + round + 1,
            cooldownMs: 10 * MINUTE,
            findingId: `B${round}`,
            eventIds: [`b${round}`],
          },
        ]),
      ]);
      // The winner's claim is not confirmed yet, so the loser re-raises it under the winner's id: the
      // outbox then sends it once.
      const results = [ra?.[0], rb?.[0]];
      expect(results.filter((r) => r?.first && r.findingId === undefined)).toHaveLength(1);
      const winner = ra?.[0]?.findingId === undefined ? `A${round}` : `B${round}`;
      expect(results.find((r) => r?.findingId !== undefined)).toEqual({ first: true, findingId: winner });
      // Once confirmed, the next claim from either side folds, with both events counted.
      await a.confirm([{ key, findingId: winner }]);
      expect(
        await b.claim([
          { owner: 'B', key, at: T0 + round + 2, cooldownMs: 10 * MINUTE, findingId: 'x', eventIds: [] },
        ]),
      ).toEqual([
        { first: false, findingId: winner, firedAt: T0 + round + (winner.startsWith('A') ? 0 : 1), count: 2 },
      ]);
    }
  });

  it('many claims from two processes at once raise one finding per key', async () => {
    const table = await createTestTable(client(), 'race-batch');
    const stores = [
      new DynamoDbState({ client: client(), table }),
      new DynamoDbState({ client: client(), table }),
    ];
    const batch = (who: number): ClaimRequest[] =>
      Array.from({ length: 40 }, (_, i) => ({
        owner: `process-${who}`,
        key: `k${i % 4}`,
        at: T0 + i * 1000 + who,
        cooldownMs: 10 * MINUTE,
        findingId: `${who}-${i}`,
        eventIds: [`${who}-${i}`],
      }));
    const batches = [batch(0), batch(1)];
    const results = (await Promise.all(stores.map((store, who) => store.claim(batches[who] ?? [])))).flat();
    const requests = batches.flat();
    // One finding per key: re-raises (of a claim the other process had not confirmed) keep its id.
    const ids = new Map<string, Set<string>>();
    results.forEach((r, i) => {
      const request = requests[i] as ClaimRequest;
      const id = r.first ? (r.findingId ?? request.findingId) : r.findingId;
      ids.set(request.key, (ids.get(request.key) ?? new Set()).add(id));
    });
    expect([...ids.values()].map((set) => set.size)).toEqual([1, 1, 1, 1]);
    expect(results.filter((r) => r.first && r.findingId === undefined)).toHaveLength(4);
    await stores[1]?.confirm([...ids].map(([key, set]) => ({ key, findingId: [...set][0] as string })));
    const last = await stores[0]?.claim(
      Array.from({ length: 4 }, (_, i) => ({
        owner: 'process-0',
        key: `k${i}`,
        at: T0,
        cooldownMs: 10 * MINUTE,
        findingId: 'x',
        eventIds: [],
      })),
    );
    expect(last?.map((r) => (r.first ? 0 : r.count))).toEqual([20, 20, 20, 20]);
  });

  it('treats a claim written before owners existed (no marker) as confirmed, and confirms in one write each', async () => {
    const c = client();
    const table = await createTestTable(c, 'legacy');
    const until = T0 + 10 * MINUTE;
    await c.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: 'f#legacy' },
          sk: { S: '-' },
          fid: { S: 'OLD' },
          at: { N: String(T0) },
          until: { N: String(until) },
          ttl: { N: String(Math.floor(Date.now() / 1000) + 86_400) },
          ids: { SS: ['e1'] },
        },
      }),
    );
    const store = new DynamoDbState({ client: c, table });
    const claim = (key: string, findingId: string, owner: string): ClaimRequest => ({
      owner,
      key,
      at: T0 + MINUTE,
      cooldownMs: 10 * MINUTE,
      findingId,
      eventIds: ['e2'],
    });
    expect(await store.claim([claim('legacy', 'NEW', 'someone')])).toEqual([
      { first: false, findingId: 'OLD', firedAt: T0, count: 2 },
    ]);
    // A new claim carries the marker until confirmed: one UpdateItem per claim removes it.
    await store.claim([claim('a', 'A', 'p1'), claim('b', 'B', 'p1')]);
    const marked = await c.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    expect(
      (marked.Items ?? [])
        .filter((item) => item.unc)
        .map((item) => item.pk?.S)
        .sort(),
    ).toEqual(['f#a', 'f#b']);
    const before = store.stats.byOperation.get('UpdateItem') ?? 0;
    await store.confirm([
      { key: 'a', findingId: 'A' },
      { key: 'b', findingId: 'B' },
    ]);
    expect(store.stats.byOperation.get('UpdateItem')).toBe(before + 2);
    const after = await c.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    expect((after.Items ?? []).filter((item) => item.unc)).toEqual([]);
    expect(await new DynamoDbState({ client: c, table }).claim([claim('a', 'X', 'p2')])).toEqual([
      { first: false, findingId: 'A', firedAt: T0 + MINUTE, count: 1 },
    ]);
  });

  it('ignores items past their TTL, which DynamoDB deletes days late', async () => {
    const c = client();
    const table = await createTestTable(c, 'ttl');
    const longAgo = Date.now() - 30 * DAY;
    // Written by a process whose items were only needed until a day after it ran, 30 days ago.
    const old = new DynamoDbState({ client: c, table, retentionMs: DAY, now: () => longAgo });
    await old.addEntries([{ key: 'k', time: T0, eventId: 'e1' }]);
    await old.claim([
      { owner: 'o', key: 'c', at: T0, cooldownMs: 3_600_000, findingId: 'OLD', eventIds: ['e1'] },
    ]);
    await old.remember([{ key: 'm', value: 'v', expiresAt: T0 + 3_600_000 }]);
    // The old process itself still sees them (TTL not reached by its clock): they are really there.
    expect((await old.readEntries(['k'], T0, T0)).get('k')).toHaveLength(1);

    const now = new DynamoDbState({ client: c, table });
    expect((await now.readEntries(['k'], T0, T0)).get('k')).toEqual([]);
    expect(await now.recall(['m'])).toEqual(new Map());
    expect(
      await now.claim([
        { owner: 'o', key: 'c', at: T0 + 1, cooldownMs: DAY, findingId: 'NEW', eventIds: ['e2'] },
      ]),
    ).toEqual([{ first: true }]);
  });

  it('sets a TTL in epoch seconds on every item: event time plus retention, never below now plus retention', async () => {
    const c = client();
    const table = await createTestTable(c, 'ttl-values');
    const now = Date.parse('2026-11-25T00:00:00Z');
    const store = new DynamoDbState({ client: c, table, retentionMs: DAY, now: () => now });
    const future = now + 10 * DAY;
    await store.addEntries([
      { key: 'old', time: T0, eventId: 'e1' },
      { key: 'new', time: future + 30_000, eventId: 'e2' },
    ]);
    await store.claim([
      { owner: 'o', key: 'c', at: future, cooldownMs: DAY, findingId: 'F', eventIds: ['e1'] },
    ]);
    await store.remember([{ key: 'm', value: 'v', expiresAt: future + 5 * DAY }]);
    const page = await c.send(new ScanCommand({ TableName: table }));
    const ttl = Object.fromEntries((page.Items ?? []).map((item) => [item.pk?.S, Number(item.ttl?.N)]));
    expect(ttl).toEqual({
      'c#old': (now + DAY) / 1000,
      'c#new': (future + MINUTE + DAY) / 1000,
      'f#c': (future + 2 * DAY) / 1000,
      'm#m': (future + 6 * DAY) / 1000,
    });
  });

  it('costs one UpdateItem per (key, bucket) per batch, one Query per key, one write per claimed key', async () => {
    const c = client();
    const table = await createTestTable(c, 'requests');
    const store = new DynamoDbState({ client: c, table });
    const entries: CounterEntry[] = Array.from({ length: 100 }, (_, i) => ({
      key: `spike|principal-${i % 3}`,
      time: T0 + i * 100,
      eventId: `e${i}`,
      facets: { action: 'ec2:DescribeInstances', errorCode: 'UnauthorizedOperation' },
    }));
    await store.addEntries(entries);
    expect(Object.fromEntries(store.stats.byOperation)).toEqual({ UpdateItem: 3 });
    const read = await store.readEntries(
      ['spike|principal-0', 'spike|principal-1', 'spike|principal-2'],
      T0 - 65 * MINUTE,
      T0 + MINUTE,
    );
    expect([...read.values()].map((list) => list.length)).toEqual([34, 33, 33]);
    expect(store.stats.byOperation.get('Query')).toBe(3);

    const claims = entries.map((e, i) => ({
      owner: 'o',
      key: e.key,
      at: e.time,
      cooldownMs: 10 * MINUTE,
      findingId: `F${i}`,
      eventIds: [e.eventId],
    }));
    await store.claim(claims);
    expect(store.stats.byOperation.get('UpdateItem')).toBe(3 + 3);
    // Next batch: this process knows the findings, so each repeat folds in one write.
    await store.claim(
      claims.map((cl) => ({ ...cl, at: cl.at + MINUTE, eventIds: [`${cl.eventIds[0]}-again`] })),
    );
    expect(store.stats.byOperation.get('UpdateItem')).toBe(3 + 3 + 3);
    // A fresh process does not: its optimistic first claim fails and returns the finding to fold into.
    const fresh = new DynamoDbState({ client: c, table });
    const results = await fresh.claim([
      { ...(claims[0] as ClaimRequest), at: T0 + 2 * MINUTE, eventIds: ['late'] },
    ]);
    expect(results).toEqual([{ first: false, findingId: 'F0', firedAt: T0, count: 69 }]);
    expect(fresh.stats.total).toBe(2);

    const memory = new DynamoDbState({ client: c, table });
    await memory.remember(
      Array.from({ length: 60 }, (_, i) => ({ key: `m${i}`, value: 'v', expiresAt: T0 })),
    );
    await memory.recall(Array.from({ length: 250 }, (_, i) => `m${i}`));
    expect(Object.fromEntries(memory.stats.byOperation)).toEqual({ BatchWriteItem: 3, BatchGetItem: 3 });
  });

  it('moves on to a new shard when a bucket item fills, and reads every shard back', async () => {
    const c = client();
    const table = await createTestTable(c, 'shards');
    const facets = { resource: 'x'.repeat(3900) };
    const entries = Array.from({ length: 200 }, (_, i) => ({
      key: 'hot',
      time: T0 + i * 100,
      eventId: `e${i}`,
      facets,
    }));
    const writer = new DynamoDbState({ client: c, table });
    for (let i = 0; i < entries.length; i += 50) await writer.addEntries(entries.slice(i, i + 50));
    const items = (await c.send(new ScanCommand({ TableName: table }))).Items ?? [];
    expect(items.length).toBeGreaterThanOrEqual(Math.ceil((200 * 3950) / SHARD_BYTES));
    for (const item of items) expect(Number(item.b?.N)).toBeLessThanOrEqual(SHARD_BYTES);
    // Another process, not knowing the shards, adds the same events again: nothing is counted twice.
    await new DynamoDbState({ client: client(), table }).addEntries(entries.slice(0, 120));
    const read = await new DynamoDbState({ client: client(), table }).readEntries(['hot'], T0, T0 + MINUTE);
    expect(read.get('hot')?.map((e) => e.eventId)).toEqual(entries.map((e) => e.eventId));
    expect(read.get('hot')?.[0]?.facets).toEqual(facets);
  });

  it('keeps the count of a claim exact up to its stored event ids, and counts beyond them', async () => {
    const table = await createTestTable(client(), 'claim-cap');
    const store = new DynamoDbState({ client: client(), table });
    const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => `e${from + i}`);
    await store.claim([
      {
        owner: 'o',
        key: 'k',
        at: T0,
        cooldownMs: DAY,
        findingId: 'F',
        eventIds: ids(0, MAX_STORED_EVENT_IDS - 10),
      },
    ]);
    const [within] = await store.claim([
      {
        owner: 'o',
        key: 'k',
        at: T0 + 1,
        cooldownMs: DAY,
        findingId: 'G',
        eventIds: ids(0, MAX_STORED_EVENT_IDS),
      },
    ]);
    expect(within).toEqual({ first: false, findingId: 'F', firedAt: T0, count: MAX_STORED_EVENT_IDS });
    const [beyond] = await new DynamoDbState({ client: client(), table }).claim([
      {
        owner: 'o',
        key: 'k',
        at: T0 + 2,
        cooldownMs: DAY,
        findingId: 'H',
        eventIds: ids(MAX_STORED_EVENT_IDS, 100),
      },
    ]);
    expect(beyond).toEqual({ first: false, findingId: 'F', firedAt: T0, count: MAX_STORED_EVENT_IDS + 100 });
  });

  it('cuts long facet values only when an entry would pass 4 KB', async () => {
    const c = client();
    const store = new DynamoDbState({ client: c, table: await createTestTable(c, 'facets') });
    const huge = { errorMessage: 'm'.repeat(10_000), action: 's3:GetObject' };
    await store.addEntries([{ key: 'k', time: T0, eventId: 'e1', facets: huge }]);
    const [read] = (await store.readEntries(['k'], T0, T0)).get('k') ?? [];
    expect(read?.facets).toEqual({ errorMessage: 'm'.repeat(256), action: 's3:GetObject' });
  });
});
