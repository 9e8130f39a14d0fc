import { describe, expect, it } from 'vitest';
import {
  burstCooldown,
  entriesInWindow,
  facetText,
  median,
  priorWindowCounts,
  summarizeWindow,
  topFacetValues,
} from '../../../lib/engine/window-evidence.ts';
import type { CounterEntry } from '../../../lib/state/state-port.ts';

const T = Date.parse('2026-11-20T10:00:00Z');
const W = 300_000;

function entry(time: number, eventId: string, facets?: Record<string, string>): CounterEntry {
  return { key: 'k', time, eventId, facets };
}

describe('entriesInWindow', () => {
  it('holds (end − window, end]: the start is exclusive, the end inclusive', () => {
    const entries = [entry(T - W, 'a'), entry(T - W + 1, 'b'), entry(T, 'c'), entry(T + 1, 'd')];
    expect(entriesInWindow(entries, { time: T, eventId: 'c' }, W).map((e) => e.eventId)).toEqual(['b', 'c']);
  });

  it('orders entries of the same millisecond by event id and stops at the judged event', () => {
    const entries = [entry(T, 'a'), entry(T, 'b'), entry(T, 'c')];
    expect(entriesInWindow(entries, { time: T, eventId: 'b' }, W).map((e) => e.eventId)).toEqual(['a', 'b']);
  });

  it('counts an event id once, and sorts input that is not in time order', () => {
    const entries = [entry(T, 'c'), entry(T - 10, 'a'), entry(T - 10, 'a'), entry(T - 5, 'b')];
    expect(entriesInWindow(entries, { time: T, eventId: 'c' }, W).map((e) => e.eventId)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('is empty for no entries', () => {
    expect(entriesInWindow([], { time: T, eventId: 'x' }, W)).toEqual([]);
  });
});

describe('priorWindowCounts', () => {
  it('buckets entries into the full windows before the current one', () => {
    const entries = [
      entry(T, 'now'),
      entry(T - W + 1, 'still-current'),
      entry(T - W, 'prior-0-newest'),
      entry(T - 2 * W + 1, 'prior-0-oldest'),
      entry(T - 2 * W, 'prior-1'),
      entry(T - 3 * W, 'prior-2-beyond'),
    ];
    expect(priorWindowCounts(entries, { time: T, eventId: 'now' }, W, 2)).toEqual([2, 1]);
  });

  it('counts an event id once and gives zeros for empty windows', () => {
    const entries = [entry(T - W - 5, 'a'), entry(T - W - 5, 'a')];
    expect(priorWindowCounts(entries, { time: T, eventId: 'z' }, W, 3)).toEqual([1, 0, 0]);
    expect(priorWindowCounts(entries, { time: T, eventId: 'z' }, W, 0)).toEqual([]);
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([10, 0, 4, 20])).toBe(7);
    expect(median([])).toBe(0);
  });
});

describe('topFacetValues', () => {
  it('lists the most frequent values first, ties by value, up to the limit', () => {
    const entries = [
      entry(T, '1', { action: 'b' }),
      entry(T, '2', { action: 'a' }),
      entry(T, '3', { action: 'c' }),
      entry(T, '4', { action: 'c' }),
      entry(T, '5', {}),
      entry(T, '6'),
    ];
    expect(topFacetValues(entries, 'action', 2)).toEqual([
      { value: 'c', count: 2 },
      { value: 'a', count: 1 },
    ]);
    expect(topFacetValues(entries, 'missing')).toEqual([]);
  });
});

describe('summarizeWindow', () => {
  it('gives count, first and last time, and the first ids by time', () => {
    const entries = Array.from({ length: 25 }, (_, i) => entry(T + (24 - i) * 1000, `e${24 - i}`)).reverse();
    const summary = summarizeWindow(entries);
    expect(summary.count).toBe(25);
    expect(summary.firstSeen).toBe('2026-11-20T10:00:00.000Z');
    expect(summary.lastSeen).toBe('2026-11-20T10:00:24.000Z');
    expect(summary.eventIds).toHaveLength(20);
    expect(summary.eventIds[0]).toBe('e0');
    expect(summary.eventIds[19]).toBe('e19');
  });

  it('sorts unsorted entries before picking ids', () => {
    const summary = summarizeWindow([entry(T + 2, 'late'), entry(T, 'early')], 1);
    expect(summary).toEqual({
      count: 2,
      firstSeen: new Date(T).toISOString(),
      lastSeen: new Date(T + 2).toISOString(),
      eventIds: ['early'],
    });
  });

  it('has no times for an empty window', () => {
    expect(summarizeWindow([])).toEqual({
      count: 0,
      firstSeen: undefined,
      lastSeen: undefined,
      eventIds: [],
    });
  });
});

describe('facetText', () => {
  it('keeps short values and cuts long ones to the limit', () => {
    expect(facetText('short')).toBe('short');
    const cut = facetText('x'.repeat(500));
    expect(cut).toHaveLength(200);
    expect(cut.endsWith('…')).toBe(true);
    expect(facetText('abcdef', 4)).toBe('abc…');
  });
});

describe('burstCooldown', () => {
  it('is two windows', () => {
    expect(burstCooldown(W)).toBe(2 * W);
  });
});
