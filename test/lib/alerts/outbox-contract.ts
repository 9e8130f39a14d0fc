import { describe, expect, it } from 'vitest';
import type { Outbox } from '../../../lib/alerts/outbox.ts';
import type { Finding } from '../../../lib/engine/finding.ts';
import { hostileFinding } from './hostile.ts';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const LEASE = 60_000;

export function outboxFinding(n: number): Finding {
  return hostileFinding(`branch-${n}-<!channel>`, { id: `tg-${String(n).padStart(20, '0')}` });
}

const delivery = (n: number, sink = 'slack:#sec') => ({
  findingId: outboxFinding(n).id,
  sink,
  finding: outboxFinding(n),
});

/** What every Outbox must do; `make` returns a fresh, empty one. */
export function describeOutboxContract(name: string, make: () => Promise<Outbox>): void {
  describe(`${name} (outbox contract)`, () => {
    it('lists what is recorded, oldest first, with the finding intact', async () => {
      const outbox = await make();
      await outbox.record([delivery(2), delivery(2, 'sns:arn:aws:sns:us-east-1:111122223333:t')], T0 + 5);
      await outbox.record([delivery(1)], T0 + 9);
      const pending = await outbox.pending(10);
      expect(pending.map((p) => [p.findingId, p.sink, p.createdAt])).toEqual([
        [outboxFinding(2).id, 'slack:#sec', T0 + 5],
        [outboxFinding(2).id, 'sns:arn:aws:sns:us-east-1:111122223333:t', T0 + 5],
        [outboxFinding(1).id, 'slack:#sec', T0 + 9],
      ]);
      const first = pending.find((p) => p.findingId === outboxFinding(1).id);
      expect(first?.finding).toEqual(outboxFinding(1));
      expect(await outbox.countPending()).toBe(3);
      expect(await outbox.pending(1)).toHaveLength(1);
      await outbox.close?.();
    });

    it('records a delivery once: recording again never re-opens it', async () => {
      const outbox = await make();
      await outbox.record([delivery(1)], T0);
      await outbox.record([delivery(1)], T0 + 1000);
      expect((await outbox.pending(10)).map((p) => p.createdAt)).toEqual([T0]);
      expect(await outbox.begin(delivery(1), T0, LEASE)).toEqual({ attempts: 1 });
      await outbox.markSent(delivery(1), T0 + 1);
      await outbox.record([delivery(1)], T0 + 2000);
      expect(await outbox.countPending()).toBe(0);
      expect(await outbox.begin(delivery(1), T0 + 3 * LEASE, LEASE)).toBeUndefined();
      await outbox.close?.();
    });

    it('counts attempts and holds a begun delivery for its lease', async () => {
      const outbox = await make();
      await outbox.record([delivery(1)], T0);
      expect(await outbox.begin(delivery(1), T0, LEASE)).toEqual({ attempts: 1 });
      expect(await outbox.begin(delivery(1), T0 + LEASE - 1, LEASE)).toBeUndefined();
      // Still pending while held: a crash here leaves it for a later flush.
      expect(await outbox.countPending()).toBe(1);
      expect(await outbox.begin(delivery(1), T0 + LEASE, LEASE)).toEqual({ attempts: 2 });
      await outbox.markFailed(delivery(1), 'HTTP 500', false, T0 + LEASE + 1);
      expect(await outbox.begin(delivery(1), T0 + LEASE + 2, LEASE)).toEqual({ attempts: 3 });
      expect(await outbox.begin({ findingId: 'tg-none', sink: 'slack:#sec' }, T0, LEASE)).toBeUndefined();
      await outbox.close?.();
    });

    it('ends a delivery when given up', async () => {
      const outbox = await make();
      await outbox.record([delivery(1), delivery(2)], T0);
      await outbox.begin(delivery(1), T0, LEASE);
      await outbox.markFailed(delivery(1), 'channel_not_found', true, T0 + 1);
      expect((await outbox.pending(10)).map((p) => p.findingId)).toEqual([outboxFinding(2).id]);
      expect(await outbox.begin(delivery(1), T0 + 2 * LEASE, LEASE)).toBeUndefined();
      await outbox.record([delivery(1)], T0 + 5);
      expect(await outbox.countPending()).toBe(1);
      await outbox.close?.();
    });
  });
}
