import { describe, expect, it } from 'vitest';
import { buildDigest, digestWindow, formatChange } from '../../../lib/alerts/digest.ts';
import { digestMessage, digestTable } from '../../../lib/alerts/digest-render.ts';
import { HOSTILE } from './hostile.ts';
import { expectNoInjectedMarkup, expectWithinLimits } from './slack-assertions.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const END = Date.parse('2026-11-21T00:00:00Z');
const row = (principal: string, action: string, hoursBeforeEnd: number, count: number) => ({
  principal,
  action,
  bin: new Date(END - hoursBeforeEnd * HOUR).toISOString(),
  count,
});

describe('AccessDenied digest', () => {
  it('ends the period on a whole bin after now, hourly when the period allows', () => {
    expect(digestWindow(END - 1, DAY)).toEqual({ end: END, periodMs: DAY, binMs: HOUR });
    expect(digestWindow(END + 1, 90 * 60_000)).toEqual({
      end: END + 60_000,
      periodMs: 90 * 60_000,
      binMs: 60_000,
    });
  });

  it('splits denials into this period and the one before, per principal and action, with a series', () => {
    const rows = [
      row('role/a', 'iam:ListRoles', 1, 5),
      row('role/a', 'iam:ListUsers', 1, 2),
      row('role/a', 'iam:ListRoles', 30, 1),
      row('role/b', 'iam:ListRoles', 24, 4), // the first bin of this period
      row('role/c', 's3:GetObject', 25, 9), // the last bin of the previous one
      row('role/d', 's3:GetObject', 49, 100), // before both: not counted
    ];
    const digest = buildDigest(rows, { end: END, periodMs: DAY, binMs: HOUR }, 10);
    expect(digest.current).toBe(11);
    expect(digest.previous).toBe(10);
    expect(digest.principals.map((p) => [p.name, p.current, p.previous])).toEqual([
      ['role/a', 7, 1],
      ['role/b', 4, 0],
      ['role/c', 0, 9],
    ]);
    expect(digest.principals[0]?.series).toHaveLength(24);
    expect(digest.principals[0]?.series[23]).toBe(7);
    expect(digest.principals[1]?.series[0]).toBe(4);
    expect(digest.actions.map((a) => [a.name, a.current, a.previous])).toEqual([
      ['iam:ListRoles', 9, 1],
      ['iam:ListUsers', 2, 0],
      ['s3:GetObject', 0, 9],
    ]);
    expect(buildDigest(rows, { end: END, periodMs: DAY, binMs: HOUR }, 1).principals).toHaveLength(1);
    const table = digestTable(digest);
    expect(table).toMatch(/^AccessDenied digest: 2026-11-20T00:00:00Z to 2026-11-21T00:00:00Z \(1d\)/);
    expect(table).toMatch(/role\/a\s+7\s+1\s+\+600%\s+▁+█/);
    expect(table).toMatch(/role\/c\s+0\s+9\s+gone/);
  });

  it('names the change from the previous period', () => {
    expect(formatChange({ current: 3, previous: 0 })).toBe('new');
    expect(formatChange({ current: 0, previous: 3 })).toBe('gone');
    expect(formatChange({ current: 0, previous: 0 })).toBe('±0%');
    expect(formatChange({ current: 15, previous: 10 })).toBe('+50%');
    expect(formatChange({ current: 6, previous: 10 })).toBe('-40%');
  });

  it('posts principals and actions from event data as inert text', () => {
    const rows = HOSTILE.map((text, i) => row(`arn:aws:iam::1:role/${text}`, text, 1, i + 1));
    const message = digestMessage(buildDigest(rows, { end: END, periodMs: DAY, binMs: HOUR }, 100));
    expectNoInjectedMarkup(message);
    expectWithinLimits(message);
  });
});
