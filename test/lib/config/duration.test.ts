import { describe, expect, it } from 'vitest';
import { durationSchema, formatDuration, parseDuration } from '../../../lib/config/duration.ts';

describe('durations', () => {
  it('parses s, m, h and d', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1d')).toBe(86_400_000);
  });

  it('rejects other spellings', () => {
    for (const text of ['5', '5 m', '1.5h', '-1h', '1w', 'm5', ''])
      expect(parseDuration(text)).toBeUndefined();
    expect(durationSchema.safeParse('0m').success).toBe(false);
  });

  it('formats with the largest whole unit', () => {
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(5_400_000)).toBe('90m');
  });
});
