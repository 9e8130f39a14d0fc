import { describe, expect, it } from 'vitest';
import { downsample, sparkline } from '../../../lib/output/sparkline.ts';

describe('sparkline', () => {
  it('scales to the largest value, zero at the bottom and any count above it', () => {
    expect(sparkline([0, 1, 7, 14])).toBe('▁▂▅█');
    expect(sparkline([0, 1, 100])).toBe('▁▂█');
  });

  it('draws all zeros (and nothing) flat', () => {
    expect(sparkline([0, 0, 0])).toBe('▁▁▁');
    expect(sparkline([])).toBe('');
  });

  it('reads negative and non-finite values as zero', () => {
    expect(sparkline([-5, Number.NaN, Number.POSITIVE_INFINITY, 2])).toBe('▁▁▁█');
  });

  it('sums adjacent values to fit a width', () => {
    expect(sparkline([1, 1, 0, 0, 0, 4], 3)).toBe('▅▁█');
    expect(sparkline([1, 2, 3], 10)).toBe(sparkline([1, 2, 3]));
  });
});

describe('downsample', () => {
  it('keeps the total and covers every value once', () => {
    const values = Array.from({ length: 97 }, (_, i) => (i * 7) % 11);
    const buckets = downsample(values, 10);
    expect(buckets).toHaveLength(10);
    expect(buckets.reduce((a, b) => a + b, 0)).toBe(values.reduce((a, b) => a + b, 0));
  });
});
