import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortOrder } from '../../../lib/ingest/sort-order.ts';

/** The order every path of `sortOrder` must give: by time, stable, records without a time last in input order. */
function reference(times: readonly number[]): number[] {
  return times
    .map((_, i) => i)
    .sort((a, b) => {
      const ta = times[a] as number;
      const tb = times[b] as number;
      const untimedA = Number.isNaN(ta);
      if (untimedA !== Number.isNaN(tb)) return untimedA ? 1 : -1;
      return untimedA ? a - b : ta - tb || a - b;
    });
}

function ordered(times: readonly number[]): number[] {
  const order = sortOrder(Float64Array.from(times));
  return order === undefined ? times.map((_, i) => i) : Array.from(order);
}

const BASE = Date.UTC(2026, 10, 20);

describe('sortOrder: stable eventTime order (property)', () => {
  it('whole seconds (the packed-key path), with ties and untimed records', () => {
    const time = fc.oneof(
      fc.integer({ min: -5, max: 5 }).map((s) => BASE + s * 1000),
      fc.integer({ min: -86_400, max: 86_400 }).map((s) => BASE + s * 1000),
      fc.constant(Number.NaN),
    );
    fc.assert(
      fc.property(fc.array(time, { maxLength: 200 }), (times) => {
        expect(ordered(times)).toEqual(reference(times));
      }),
    );
  });

  it('milliseconds and far-apart times (the comparator path)', () => {
    const time = fc.oneof(
      fc.integer({ min: -10_000, max: 10_000 }).map((ms) => BASE + ms),
      fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms) => ms - (ms % 1000)),
      fc.constant(Number.NaN),
    );
    fc.assert(
      fc.property(fc.array(time, { maxLength: 200 }), (times) => {
        expect(ordered(times)).toEqual(reference(times));
      }),
    );
  });

  it('leaves input already in order alone', () => {
    expect(sortOrder(Float64Array.from([BASE, BASE, BASE + 1000, Number.NaN, Number.NaN]))).toBeUndefined();
    expect(sortOrder(Float64Array.from([BASE + 1000, BASE]))).toEqual(Int32Array.from([1, 0]));
    expect(sortOrder(Float64Array.from([Number.NaN, BASE]))).toEqual(Int32Array.from([1, 0]));
  });
});
