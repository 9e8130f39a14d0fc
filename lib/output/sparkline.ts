/**
 * A one-line bar chart of counts (`▁▂█▁`) for a table cell. Zero always draws the lowest bar and any
 * non-zero count at least the second, so a single denial in a quiet hour stays visible next to a burst.
 */

const BARS = '▁▂▃▄▅▆▇█';
const TOP = BARS.length - 1;

/** Sums adjacent values so at most `width` remain (each output bucket covers a contiguous run). */
export function downsample(values: readonly number[], width: number): number[] {
  if (values.length <= width || width < 1) return [...values];
  const buckets: number[] = [];
  for (let bucket = 0; bucket < width; bucket++) {
    const from = Math.floor((bucket * values.length) / width);
    const to = Math.floor(((bucket + 1) * values.length) / width);
    let sum = 0;
    for (let i = from; i < to; i++) sum += values[i] ?? 0;
    buckets.push(sum);
  }
  return buckets;
}

/**
 * Draws `values` (negative or non-finite read as 0), scaled to the largest; with `width`, adjacent values
 * are summed first so the line is at most that long.
 */
export function sparkline(values: readonly number[], width?: number): string {
  const clean = values.map((v) => (Number.isFinite(v) && v > 0 ? v : 0));
  const points = width === undefined ? clean : downsample(clean, width);
  const max = points.reduce((a, b) => Math.max(a, b), 0);
  let line = '';
  for (const value of points) {
    const level = value === 0 || max === 0 ? 0 : 1 + Math.round((value / max) * (TOP - 1));
    line += BARS[level];
  }
  return line;
}
