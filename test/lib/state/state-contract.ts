import { describe, expect, it } from 'vitest';
import type { ClaimRequest, CounterEntry, StatePort } from '../../../lib/state/state-port.ts';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const MINUTE = 60_000;

const entry = (key: string, time: number, eventId: string, facets?: Record<string, string>): CounterEntry =>
  facets ? { key, time, eventId, facets } : { key, time, eventId };

const claim = (
  key: string,
  at: number,
  cooldownMs: number,
  eventIds: string[],
  findingId = `f-${at}`,
  owner = 'engine-1',
): ClaimRequest => ({
  owner,
  key,
  at,
  cooldownMs,
  findingId,
  eventIds,
});

/** Entries as comparable lines, in time order (the port promises no order; the engine sorts). */
function lines(entries: readonly CounterEntry[] | undefined): string[] {
  return (entries ?? [])
    .map((e) => `${e.time}|${e.eventId}|${e.facets ? JSON.stringify(e.facets) : ''}`)
    .sort();
}

/**
 * What every StatePort implementation promises, run against each one with the same expectations.
 * `open` returns a store over empty state.
 */
export function describeStateContract(name: string, open: () => Promise<StatePort>): void {
  describe(`StatePort contract: ${name}`, () => {
    it('reads back the entries of each key within [from, to], bounds included', async () => {
      const store = await open();
      await store.addEntries([
        entry('a', T0 - 1, 'e0'),
        entry('a', T0, 'e1', { action: 's3:GetObject' }),
        entry('a', T0 + 59_999, 'e2'),
        entry('a', T0 + 3 * MINUTE, 'e3'),
        entry('a', T0 + 3 * MINUTE + 1, 'e4'),
        entry('b', T0 + MINUTE, 'e5', { resource: 'arn:aws:s3:::bucket/ü ✓ "quoted" |pipe|' }),
      ]);
      const read = await store.readEntries(['a', 'b', 'never-written'], T0, T0 + 3 * MINUTE);
      expect(lines(read.get('a'))).toEqual([
        `${T0}|e1|{"action":"s3:GetObject"}`,
        `${T0 + 59_999}|e2|`,
        `${T0 + 3 * MINUTE}|e3|`,
      ]);
      expect(read.get('b')).toEqual([
        entry('b', T0 + MINUTE, 'e5', { resource: 'arn:aws:s3:::bucket/ü ✓ "quoted" |pipe|' }),
      ]);
      expect(read.get('never-written')).toEqual([]);
      expect([...read.keys()].sort()).toEqual(['a', 'b', 'never-written']);
    });

    it('addAndRead adds the entries, then reads the window of each of their keys', async () => {
      const store = await open();
      await store.addEntries([entry('a', T0 - MINUTE, 'e0'), entry('a', T0 - 2 * MINUTE, 'e-old')]);
      const read = await store.addAndRead(
        [entry('a', T0, 'e1', { action: 'iam:CreateRole' }), entry('b', T0 + 1, 'e2'), entry('a', T0, 'e1')],
        T0 - MINUTE - 1,
        T0 + 1,
      );
      expect([...read.keys()].sort()).toEqual(['a', 'b']);
      expect(lines(read.get('a'))).toEqual([`${T0 - MINUTE}|e0|`, `${T0}|e1|{"action":"iam:CreateRole"}`]);
      expect(lines(read.get('b'))).toEqual([`${T0 + 1}|e2|`]);
      // Again, as a redelivery: nothing new.
      const again = await store.addAndRead([entry('b', T0 + 1, 'e2')], T0, T0 + 1);
      expect(lines(again.get('b'))).toEqual([`${T0 + 1}|e2|`]);
    });

    it('counts an event once per key, however often it is added', async () => {
      const store = await open();
      const batch = [entry('k', T0, 'e1'), entry('k', T0 + 1000, 'e2'), entry('other', T0, 'e1')];
      await store.addEntries(batch);
      await store.addEntries(batch);
      await store.addEntries([entry('k', T0, 'e1'), entry('k', T0, 'e1')]);
      const read = await store.readEntries(['k', 'other'], T0 - MINUTE, T0 + MINUTE);
      expect(lines(read.get('k'))).toEqual([`${T0}|e1|`, `${T0 + 1000}|e2|`]);
      expect(lines(read.get('other'))).toEqual([`${T0}|e1|`]);
    });

    it('reads windows hours long and keys of any length and alphabet', async () => {
      const store = await open();
      const long = `access-denied-spike|${'arn:aws:sts::111122223333:assumed-role/x/'.repeat(40)}`;
      const odd = 'detector|käy#ttäjä|sk|-|~';
      const entries = Array.from({ length: 30 }, (_, i) =>
        entry(i % 2 ? long : odd, T0 + i * 7 * MINUTE, `e${i}`),
      );
      await store.addEntries(entries);
      const read = await store.readEntries([long, odd], T0, T0 + 4 * 60 * MINUTE);
      expect(read.get(long)?.length).toBe(15);
      expect(read.get(odd)?.length).toBe(15);
      const narrow = await store.readEntries([long], T0 + 7 * MINUTE, T0 + 21 * MINUTE);
      expect(lines(narrow.get(long))).toEqual([`${T0 + 7 * MINUTE}|e1|`, `${T0 + 21 * MINUTE}|e3|`]);
    });

    it('the first claim fires; repeats within the cooldown fold into it', async () => {
      const store = await open();
      expect(await store.claim([claim('spike|alice', T0, 10 * MINUTE, ['e1', 'e2'], 'F1')])).toEqual([
        { first: true },
      ]);
      expect(await store.claim([claim('spike|alice', T0 + MINUTE, 10 * MINUTE, ['e2', 'e3'], 'F2')])).toEqual(
        [{ first: false, findingId: 'F1', firedAt: T0, count: 3 }],
      );
      // An event earlier than the first, but within the cooldown, is a repeat too (out-of-order delivery).
      expect(await store.claim([claim('spike|alice', T0 - 9 * MINUTE, 10 * MINUTE, ['e0'], 'F0')])).toEqual([
        { first: false, findingId: 'F1', firedAt: T0, count: 4 },
      ]);
      expect(await store.claim([claim('spike|bob', T0 + MINUTE, 10 * MINUTE, ['e9'], 'B1')])).toEqual([
        { first: true },
      ]);
    });

    it('fires again once the cooldown is over, and for events a cooldown before the first', async () => {
      const store = await open();
      await store.claim([claim('k', T0, 10 * MINUTE, ['e1'], 'F1')]);
      expect(await store.claim([claim('k', T0 + 10 * MINUTE - 1, 10 * MINUTE, ['e2'], 'F2')])).toMatchObject([
        { first: false, findingId: 'F1' },
      ]);
      expect(await store.claim([claim('k', T0 + 10 * MINUTE, 10 * MINUTE, ['e3'], 'F3')])).toEqual([
        { first: true },
      ]);
      // F3 now rules: an event a full cooldown before it fires on its own.
      expect(await store.claim([claim('k', T0, 10 * MINUTE, ['e1'], 'F4')])).toEqual([{ first: true }]);
      expect(await store.claim([claim('k', T0 + 1, 0, ['e5'], 'F5')])).toEqual([
        { first: false, findingId: 'F4', firedAt: T0, count: 2 },
      ]);
    });

    it('claims in one batch see each other, in order', async () => {
      const store = await open();
      const results = await store.claim([
        claim('k', T0, 5 * MINUTE, ['e1'], 'F1'),
        claim('other', T0, 5 * MINUTE, ['x1'], 'X1'),
        claim('k', T0 + MINUTE, 5 * MINUTE, ['e2'], 'F2'),
        claim('k', T0 + 2 * MINUTE, 5 * MINUTE, ['e2'], 'F3'),
        claim('k', T0 + 5 * MINUTE, 5 * MINUTE, ['e4'], 'F4'),
        claim('k', T0 + 6 * MINUTE, 5 * MINUTE, ['e5', 'e6'], 'F5'),
        claim('other', T0, 5 * MINUTE, ['x1'], 'X2'),
      ]);
      expect(results).toEqual([
        { first: true },
        { first: true },
        { first: false, findingId: 'F1', firedAt: T0, count: 2 },
        { first: false, findingId: 'F1', firedAt: T0, count: 2 },
        { first: true },
        { first: false, findingId: 'F4', firedAt: T0 + 5 * MINUTE, count: 3 },
        { first: false, findingId: 'X1', firedAt: T0, count: 1 },
      ]);
    });

    it('a redelivered one-event claim folds without changing the count', async () => {
      const store = await open();
      const once = claim('detector|event:e1', T0, 7 * 86_400_000, ['e1'], 'F1');
      expect(await store.claim([once, once])).toEqual([
        { first: true },
        { first: false, findingId: 'F1', firedAt: T0, count: 1 },
      ]);
      expect(await store.claim([once])).toEqual([{ first: false, findingId: 'F1', firedAt: T0, count: 1 }]);
    });

    it('re-raises under the stored id a claim another owner never confirmed; the same owner folds', async () => {
      const store = await open();
      const cd = 10 * MINUTE;
      expect(await store.claim([claim('k', T0, cd, ['e1'], 'F1', 'dead')])).toEqual([{ first: true }]);
      // The same owner (one run's burst) folds.
      expect(await store.claim([claim('k', T0 + 1, cd, ['e2'], 'F2', 'dead')])).toEqual([
        { first: false, findingId: 'F1', firedAt: T0, count: 2 },
      ]);
      // Another owner (a redelivery after the first process died) raises it again, and now owns it: its own
      // repeats in the same batch and later fold.
      expect(
        await store.claim([
          claim('k', T0 + 2, cd, ['e3'], 'F3', 'next'),
          claim('k', T0 + 3, cd, ['e4'], 'F4', 'next'),
        ]),
      ).toEqual([
        { first: true, findingId: 'F1' },
        { first: false, findingId: 'F1', firedAt: T0, count: 4 },
      ]);
      expect(await store.claim([claim('k', T0 + 4, cd, ['e4'], 'F5', 'next')])).toEqual([
        { first: false, findingId: 'F1', firedAt: T0, count: 4 },
      ]);
    });

    it('folds repeats from any owner once the claim is confirmed', async () => {
      const store = await open();
      const cd = 10 * MINUTE;
      await store.claim([claim('k', T0, cd, ['e1'], 'F1', 'a'), claim('other', T0, cd, ['x1'], 'X1', 'a')]);
      // A stale finding id (the claim was replaced) confirms nothing.
      await store.confirm([
        { key: 'k', findingId: 'F1' },
        { key: 'other', findingId: 'OLD' },
        { key: 'never-claimed', findingId: 'N' },
      ]);
      expect(
        await store.claim([
          claim('k', T0 + 1, cd, ['e2'], 'F2', 'b'),
          claim('other', T0 + 1, cd, [], 'X2', 'b'),
        ]),
      ).toEqual([
        { first: false, findingId: 'F1', firedAt: T0, count: 2 },
        { first: true, findingId: 'X1' },
      ]);
      await store.confirm([{ key: 'other', findingId: 'X1' }]);
      expect(await store.claim([claim('other', T0 + 2, cd, [], 'X3', 'a')])).toEqual([
        { first: false, findingId: 'X1', firedAt: T0, count: 1 },
      ]);
      // Past the cooldown a new claim starts unconfirmed again.
      expect(await store.claim([claim('k', T0 + cd, cd, ['e9'], 'F9', 'a')])).toEqual([{ first: true }]);
      expect(await store.claim([claim('k', T0 + cd + 1, cd, [], 'FA', 'b')])).toEqual([
        { first: true, findingId: 'F9' },
      ]);
    });

    it('remembers the last value per key and recalls it, expired or not (callers judge expiry)', async () => {
      const store = await open();
      await store.remember([
        { key: 'issued:ASIA1', value: 'first', expiresAt: T0 + 3_600_000 },
        { key: 'issued:ASIA2', value: '', expiresAt: T0 - 1 },
        {
          key: 'issued:ASIA1',
          value: '{"subject":"repo:acme/shop:ref:refs/heads/main"}',
          expiresAt: T0 + 7_200_000,
        },
      ]);
      const recalled = await store.recall(['issued:ASIA1', 'issued:ASIA2', 'issued:never']);
      expect(recalled).toEqual(
        new Map([
          [
            'issued:ASIA1',
            {
              key: 'issued:ASIA1',
              value: '{"subject":"repo:acme/shop:ref:refs/heads/main"}',
              expiresAt: T0 + 7_200_000,
            },
          ],
          ['issued:ASIA2', { key: 'issued:ASIA2', value: '', expiresAt: T0 - 1 }],
        ]),
      );
      await store.remember([{ key: 'issued:ASIA1', value: 'later', expiresAt: T0 + 1 }]);
      expect((await store.recall(['issued:ASIA1'])).get('issued:ASIA1')?.value).toBe('later');
    });

    it('recalls many keys at once', async () => {
      const store = await open();
      const entries = Array.from({ length: 230 }, (_, i) => ({
        key: `m${i}`,
        value: `v${i}`,
        expiresAt: T0 + i,
      }));
      await store.remember(entries);
      const recalled = await store.recall([...entries.map((e) => e.key), 'missing']);
      expect(recalled.size).toBe(230);
      expect(recalled.get('m229')).toEqual({ key: 'm229', value: 'v229', expiresAt: T0 + 229 });
    });

    it('prune keeps everything still readable (entries at or after the cut)', async () => {
      const store = await open();
      await store.addEntries([entry('k', T0, 'e1'), entry('k', T0 + MINUTE, 'e2')]);
      await store.prune(T0 + MINUTE);
      const read = await store.readEntries(['k'], T0 + MINUTE, T0 + 2 * MINUTE);
      expect(lines(read.get('k'))).toEqual([`${T0 + MINUTE}|e2|`]);
    });

    it('does nothing for empty input', async () => {
      const store = await open();
      await store.addEntries([]);
      await store.remember([]);
      expect(await store.claim([])).toEqual([]);
      await store.confirm([]);
      expect(await store.readEntries([], T0, T0)).toEqual(new Map());
      expect(await store.recall([])).toEqual(new Map());
    });
  });
}
