import { describe, expect, it } from 'vitest';
import { parseExpiration } from '../../../lib/events/expiration.ts';

describe('parseExpiration', () => {
  it.each([
    ['Apr 16, 2025, 3:46:56 AM', Date.UTC(2025, 3, 16, 3, 46, 56)],
    ['Sep 15, 2021 4:00:36 AM', Date.UTC(2021, 8, 15, 4, 0, 36)],
    ['Jul 9, 2024, 4:41:37 PM', Date.UTC(2024, 6, 9, 16, 41, 37)],
    ['Jan 1, 2025, 12:00:01 AM', Date.UTC(2025, 0, 1, 0, 0, 1)],
    ['Jan 1, 2025, 12:30:00 PM', Date.UTC(2025, 0, 1, 12, 30, 0)],
    ['Feb 29, 2024, 1:00:00 AM', Date.UTC(2024, 1, 29, 1, 0, 0)],
    ['2025-04-16T03:46:56Z', Date.UTC(2025, 3, 16, 3, 46, 56)],
  ])('%s', (text, expected) => {
    expect(parseExpiration(text)).toBe(expected);
  });

  it.each([
    'Feb 29, 2025, 1:00:00 AM',
    'Foo 1, 2025, 1:00:00 AM',
    'Apr 16, 2025, 13:46:56 AM',
    'Apr 16, 2025, 3:46:56',
    'Apr 16, 25, 3:46:56 AM',
    'Apr 16, 2025, 3:46:56:12 AM',
    '',
    'x'.repeat(10_000),
    1744775216000,
    null,
  ])('rejects %j', (text) => {
    expect(parseExpiration(text)).toBeUndefined();
  });
});
