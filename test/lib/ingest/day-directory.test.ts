import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dayOfDirectory } from '../../../lib/ingest/day-directory.ts';

describe('dayOfDirectory', () => {
  it('reads the UTC day of a CloudTrail day directory, with or without a trailing separator', () => {
    const day = join('AWSLogs', '123456789012', 'CloudTrail', 'us-east-1', '2026', '10', '05');
    expect(dayOfDirectory(day)).toBe(Date.UTC(2026, 9, 5));
    expect(dayOfDirectory(`${day}/`)).toBe(Date.UTC(2026, 9, 5));
    expect(dayOfDirectory(join('/', '2024', '02', '29'))).toBe(Date.UTC(2024, 1, 29));
  });

  it('is undefined for anything that is not a real calendar day', () => {
    expect(dayOfDirectory(join('x', '2025', '02', '29'))).toBeUndefined();
    expect(dayOfDirectory(join('x', '2026', '13', '01'))).toBeUndefined();
    expect(dayOfDirectory(join('x', '2026', '10', '00'))).toBeUndefined();
    expect(dayOfDirectory(join('x', '2026', '10', '5'))).toBeUndefined();
    expect(dayOfDirectory(join('x', '2026', '10'))).toBeUndefined();
    expect(dayOfDirectory(join('10', '05'))).toBeUndefined();
    expect(dayOfDirectory(join('x', 'us-east-1', '10', '05'))).toBeUndefined();
    expect(dayOfDirectory(join('x', '2026', '10', '05', 'extra'))).toBeUndefined();
  });
});
