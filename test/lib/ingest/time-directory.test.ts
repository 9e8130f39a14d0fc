import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { periodOfDirectory } from '../../../lib/ingest/time-directory.ts';

const region = join('AWSLogs', '123456789012', 'CloudTrail', 'us-east-1');

describe('periodOfDirectory', () => {
  it('reads the UTC start of a CloudTrail year, month or day directory', () => {
    expect(periodOfDirectory(join(region, '2026'))).toBe(Date.UTC(2026, 0, 1));
    expect(periodOfDirectory(join(region, '2026', '10'))).toBe(Date.UTC(2026, 9, 1));
    expect(periodOfDirectory(join(region, '2026', '10', '05'))).toBe(Date.UTC(2026, 9, 5));
    expect(periodOfDirectory(`${join(region, '2026', '10', '05')}/`)).toBe(Date.UTC(2026, 9, 5));
    expect(periodOfDirectory(join('/', '2024', '02', '29'))).toBe(Date.UTC(2024, 1, 29));
  });

  it('falls back to the month for a day that is not a calendar day, and to the year for a bad month', () => {
    expect(periodOfDirectory(join('x', '2025', '02', '29'))).toBeUndefined();
    expect(periodOfDirectory(join('x', '2026', '10', '00'))).toBeUndefined();
    expect(periodOfDirectory(join('x', '2026', '10', '5'))).toBeUndefined();
    expect(periodOfDirectory(join('x', '2026', '13'))).toBeUndefined();
    expect(periodOfDirectory(join('x', '2026', '00'))).toBeUndefined();
  });

  it('is undefined for directories that name no period', () => {
    expect(periodOfDirectory(region)).toBeUndefined();
    expect(periodOfDirectory(join('x', '10', '05'))).toBeUndefined();
    expect(periodOfDirectory(join('x', 'us-east-1', '10', '05'))).toBeUndefined();
    expect(periodOfDirectory(join('x', '2026', '10', '05', 'extra'))).toBeUndefined();
    expect(periodOfDirectory(join('x', '0042'))).toBeUndefined();
    expect(periodOfDirectory(join('x', '20261'))).toBeUndefined();
  });
});
