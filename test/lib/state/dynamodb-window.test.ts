import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbState } from '../../../lib/state/dynamodb-state.ts';
import { CLOCK_SKEW_MS, LIVE_HORIZON_MS, WINDOW_CAP_BYTES } from '../../../lib/state/dynamodb-window.ts';
import { MemoryState } from '../../../lib/state/memory-state.ts';
import type { CounterEntry } from '../../../lib/state/state-port.ts';
import { createTestTable, dynamoDbClients } from '../../helpers/shared-dynamodb.ts';
import { random } from '../../helpers/synthetic-trail.ts';
import { describeStateContract } from './state-contract.ts';

const MINUTE = 60_000;
/** Near the real clock: DynamoDB Local deletes items whose TTL has passed, so live tests live in the present. */
const NOW = Math.floor(Date.now() / MINUTE) * MINUTE;
const LOOKBACK = 65 * MINUTE;

const client = dynamoDbClients();

/** A store whose wall clock the test moves, as a Lambda instance's would move with the live stream. */
function liveStore(table: string, clock: { now: number }, offset = 0): DynamoDbState {
  return new DynamoDbState({ client: client(), table, now: () => clock.now + offset, reachMs: LOOKBACK });
}

const lines = (entries: readonly CounterEntry[] | undefined) =>
  (entries ?? []).map((e) => `${e.time}|${e.eventId}|${JSON.stringify(e.facets ?? {})}`);

const sortedLines = (read: ReadonlyMap<string, CounterEntry[]>) =>
  [...read.entries()].map(([key, list]) => [key, lines(list).sort()] as const).sort();

describeStateContract('DynamoDbState, live (entries near its clock)', async () => {
  const c = client();
  const table = await createTestTable(c, 'contract-live');
  const now = Date.parse('2026-11-20T10:05:00Z');
  // TTLs from the pinned clock must still be in the future for DynamoDB Local, which deletes expired items.
  return new DynamoDbState({ client: c, table, now: () => now, retentionMs: Date.now() - now + 86_400_000 });
});

describe('live window items', () => {
  it('counts a live event and reads its window in one request, for a key that has had many', async () => {
    const table = await createTestTable(client(), 'live-one');
    const clock = { now: NOW };
    const store = liveStore(table, clock);
    const memory = new MemoryState();
    for (let i = 0; i < 20; i++) {
      clock.now = NOW + i * 3 * MINUTE + 20_000;
      const entry = {
        key: 'spike|role/deploy',
        time: NOW + i * 3 * MINUTE,
        eventId: `e${i}`,
        facets: { a: 'x' },
      };
      const before = store.stats.total;
      const read = await store.addAndRead([entry], entry.time - LOOKBACK, entry.time);
      expect(store.stats.total - before).toBe(1);
      expect(lines(read.get(entry.key))).toEqual(
        lines((await memory.addAndRead([entry], entry.time - LOOKBACK, entry.time)).get(entry.key)),
      );
    }
    expect(Object.fromEntries(store.stats.byOperation)).toEqual({ UpdateItem: 20 });
    // 20 entries over an hour, the first ones past the lookback by the end: the window is really windowed.
    const last = await store.readEntries(
      ['spike|role/deploy'],
      NOW + 57 * MINUTE - LOOKBACK,
      NOW + 57 * MINUTE,
    );
    expect(last.get('spike|role/deploy')).toHaveLength(20);
    const narrow = await store.readEntries(['spike|role/deploy'], NOW + 30 * MINUTE, NOW + 57 * MINUTE);
    expect(narrow.get('spike|role/deploy')?.map((e) => e.eventId)).toEqual(
      Array.from({ length: 10 }, (_, i) => `e${i + 10}`),
    );
  });

  it('removes minutes past the horizon in later writes, never ones a read may still need', async () => {
    const c = client();
    const table = await createTestTable(c, 'live-prune');
    const clock = { now: NOW };
    const store = liveStore(table, clock);
    const key = 'agent|role/ai';
    await store.addAndRead([{ key, time: NOW, eventId: 'old' }], NOW - LOOKBACK, NOW);
    const horizon = Math.max(LIVE_HORIZON_MS, LOOKBACK);
    // Just inside the horizon: kept; a write then learns it is stale only once the clock passes it.
    clock.now = NOW + horizon + CLOCK_SKEW_MS - MINUTE;
    await store.addAndRead([{ key, time: clock.now, eventId: 'mid' }], clock.now - LOOKBACK, clock.now);
    clock.now = NOW + horizon + CLOCK_SKEW_MS + MINUTE;
    await store.addAndRead([{ key, time: clock.now, eventId: 'a' }], clock.now - LOOKBACK, clock.now);
    await store.addAndRead([{ key, time: clock.now + 1, eventId: 'b' }], clock.now - LOOKBACK, clock.now + 1);
    const item = await c.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: `c#${key}` }, sk: { S: '~w' } },
        ConsistentRead: true,
      }),
    );
    const minutes = Object.keys(item.Item ?? {}).filter((name) => name.startsWith('m'));
    // `old`'s minute is gone; `mid`'s and the one of `a` and `b` stay.
    expect(minutes).toHaveLength(2);
    const read = await store.readEntries([key], NOW - LOOKBACK, clock.now + 1);
    expect(read.get(key)?.map((e) => e.eventId)).toEqual(['mid', 'a', 'b']);
  });

  it('sends a hot key to buckets and still reads every entry once', async () => {
    const table = await createTestTable(client(), 'live-hot');
    const clock = { now: NOW };
    const store = liveStore(table, clock);
    const memory = new MemoryState();
    const facets = { action: 'iam:ListRoles', resource: 'r'.repeat(120) };
    const perEntry = 200;
    const n = Math.ceil((3 * WINDOW_CAP_BYTES) / perEntry);
    for (let i = 0; i < n; i++) {
      const entry = { key: 'spike|hot', time: NOW + i * 2000, eventId: `h${i}`, facets };
      clock.now = entry.time + 5000;
      const [dynamo, expected] = await Promise.all([
        store.addAndRead([entry], entry.time - LOOKBACK, entry.time),
        memory.addAndRead([entry], entry.time - LOOKBACK, entry.time),
      ]);
      expect(lines(dynamo.get('spike|hot'))).toEqual(lines(expected.get('spike|hot')));
    }
    // Hot: bucket writes and Queries took over from the window item, which stopped growing near the cap.
    expect(store.stats.byOperation.get('Query')).toBeGreaterThan(n / 2);
    // A fresh process, not knowing the key is hot, reads it the same.
    const fresh = liveStore(table, clock);
    const read = await fresh.readEntries(['spike|hot'], NOW - LOOKBACK, clock.now);
    expect(read.get('spike|hot')).toHaveLength(n);
  });

  it('a batch spanning the horizon writes old entries to buckets and reads both places back', async () => {
    const table = await createTestTable(client(), 'live-span');
    const clock = { now: NOW + 3 * 60 * MINUTE };
    const store = liveStore(table, clock);
    const entries = [
      { key: 'k', time: NOW, eventId: 'late' },
      { key: 'k', time: clock.now - MINUTE, eventId: 'live' },
    ];
    const read = await store.addAndRead(entries, NOW - LOOKBACK, clock.now);
    expect(read.get('k')?.map((e) => e.eventId)).toEqual(['late', 'live']);
    expect(Object.fromEntries(store.stats.byOperation)).toEqual({ UpdateItem: 2, Query: 1 });
  });

  it('three processes with skewed clocks, redelivering and racing, read exactly what memory reads', async () => {
    const rand = random(11);
    const table = await createTestTable(client(), 'live-diff');
    const clock = { now: NOW };
    const processes = [-30_000, 0, 25_000].map((offset) => liveStore(table, clock, offset));
    const memory = new MemoryState();
    const keys = ['spike|a', 'spike|b', 'agent|c', 'spike|noisy'];
    let serial = 0;
    const sent: CounterEntry[] = [];
    for (let step = 0; step < 40; step++) {
      clock.now += 30_000 + Math.floor(rand() * 60_000);
      // Batches of 1 to 6 entries, delivered up to 4 minutes late, some of them again (at least once).
      const batches = processes.map(() =>
        Array.from({ length: 1 + Math.floor(rand() * 6) }, () => {
          if (sent.length > 0 && rand() < 0.15) return sent[Math.floor(rand() * sent.length)] as CounterEntry;
          const key = rand() < 0.5 ? 'spike|noisy' : (keys[Math.floor(rand() * 3)] as string);
          const entry = {
            key,
            time: clock.now - Math.floor(rand() * 4 * MINUTE),
            eventId: `e${serial++}`,
            facets: { action: `svc:Action${Math.floor(rand() * 9)}` },
          };
          sent.push(entry);
          return entry;
        }),
      );
      const window = (batch: readonly CounterEntry[]) =>
        [Math.min(...batch.map((e) => e.time)) - LOOKBACK, Math.max(...batch.map((e) => e.time))] as const;
      if (step % 4 === 3) {
        // Racing batches may or may not see each other's entries, as two Lambdas would; once all are in,
        // every process reads exactly what memory holds.
        await Promise.all(batches.map((batch) => memory.addEntries(batch)));
        await Promise.all(
          batches.map((batch, p) => (processes[p] as DynamoDbState).addAndRead(batch, ...window(batch))),
        );
      } else {
        // One after another: each answer is exactly memory's.
        for (const [p, batch] of batches.entries()) {
          const expected = await memory.addAndRead(batch, ...window(batch));
          const read = await (processes[p] as DynamoDbState).addAndRead(batch, ...window(batch));
          expect(sortedLines(read)).toEqual(sortedLines(expected));
        }
      }
      const from = clock.now - LOOKBACK;
      const expected = sortedLines(await memory.readEntries(keys, from, clock.now + MINUTE));
      for (const store of processes) {
        expect(sortedLines(await store.readEntries(keys, from, clock.now + MINUTE))).toEqual(expected);
      }
    }
    // The quiet keys were answered by their window items; the noisy one went hot and Queried.
    const queries = processes.reduce((n, p) => n + (p.stats.byOperation.get('Query') ?? 0), 0);
    expect(queries).toBeGreaterThan(0);
  });
});
