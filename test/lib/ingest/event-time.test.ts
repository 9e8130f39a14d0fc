import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEventTime } from '../../../lib/ingest/event-time.ts';

describe('parseEventTime', () => {
  it('parses the ISO form CloudTrail writes', () => {
    expect(parseEventTime('2025-04-16T02:46:56Z')).toBe(Date.UTC(2025, 3, 16, 2, 46, 56));
  });

  it('parses the Panther-normalized form: space separator, nanoseconds, no zone means UTC', () => {
    expect(parseEventTime('2024-06-02 20:16:22.000000000')).toBe(Date.UTC(2024, 5, 2, 20, 16, 22));
    expect(parseEventTime('2024-06-02 20:16:22.123456789')).toBe(Date.UTC(2024, 5, 2, 20, 16, 22, 123));
  });

  it('accepts fractions, offsets and missing seconds', () => {
    expect(parseEventTime('2025-04-16T02:46:56.5Z')).toBe(Date.UTC(2025, 3, 16, 2, 46, 56, 500));
    expect(parseEventTime('2025-04-16T04:46:56+02:00')).toBe(Date.UTC(2025, 3, 16, 2, 46, 56));
    expect(parseEventTime('2025-04-15T21:46:56-0500')).toBe(Date.UTC(2025, 3, 16, 2, 46, 56));
    expect(parseEventTime('2025-04-16T02:46Z')).toBe(Date.UTC(2025, 3, 16, 2, 46));
    expect(parseEventTime(' 2025-04-16T02:46:56Z ')).toBe(Date.UTC(2025, 3, 16, 2, 46, 56));
  });

  it('rejects impossible calendar times instead of rolling them over', () => {
    expect(parseEventTime('2025-02-29T00:00:00Z')).toBeUndefined();
    expect(parseEventTime('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(parseEventTime('2025-13-01T00:00:00Z')).toBeUndefined();
    expect(parseEventTime('2025-04-16T24:00:00Z')).toBeUndefined();
    expect(parseEventTime('2025-04-16T02:60:00Z')).toBeUndefined();
    expect(parseEventTime('2025-04-16T02:46:56+25:00')).toBeUndefined();
  });

  it('returns undefined for anything that is not a time string', () => {
    for (const value of [
      undefined,
      null,
      1_713_235_616_000,
      {},
      '',
      'yesterday',
      '2025-04-16',
      'Apr 16, 2025',
    ]) {
      expect(parseEventTime(value)).toBeUndefined();
    }
  });

  it('round-trips every Date.toISOString output (property)', () => {
    const dates = fc.date({
      min: new Date('1000-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59Z'),
      noInvalidDate: true,
    });
    fc.assert(fc.property(dates, (date) => parseEventTime(date.toISOString()) === date.getTime()));
  });

  it('never throws on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const time = parseEventTime(value);
        return time === undefined || Number.isFinite(time);
      }),
    );
  });
});
