import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileQueue } from '../../../lib/ingest/file-queue.ts';
import { orderFiles, timedFile } from '../../../lib/ingest/order-files.ts';

const name = (minute: number, suffix: string) => {
  const date = new Date(Date.UTC(2026, 9, 5) + minute * 60_000).toISOString();
  const stamp = `${date.slice(0, 4)}${date.slice(5, 7)}${date.slice(8, 10)}T${date.slice(11, 13)}${date.slice(14, 16)}Z`;
  return `/logs/${suffix}/111111111111_CloudTrail_us-east-1_${stamp}_${suffix.padEnd(16, 'x')}.json.gz`;
};

describe('FileQueue', () => {
  it('gives back timed files in the order of orderFiles, however they were pushed (property)', () => {
    const file = fc
      .tuple(fc.integer({ min: 0, max: 3000 }), fc.constantFrom('a', 'b', 'c', 'B', '_'))
      .map(([minute, suffix]) => name(minute, suffix));
    fc.assert(
      fc.property(fc.uniqueArray(file, { maxLength: 60 }), (paths) => {
        const files = paths.map((absolute) => ({ display: absolute, absolute }));
        const queue = new FileQueue();
        for (const listed of files) queue.push(timedFile(listed));
        const popped = [];
        for (let next = queue.pop(); next !== undefined; next = queue.pop()) popped.push(next.file);
        expect(popped).toEqual(orderFiles(files));
        expect(queue.size).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('peeks without removing', () => {
    const queue = new FileQueue();
    expect(queue.peek()).toBeUndefined();
    const later = timedFile({ display: 'b', absolute: name(10, 'b') });
    const earlier = timedFile({ display: 'a', absolute: name(5, 'a') });
    queue.push(later);
    queue.push(earlier);
    expect(queue.peek()).toBe(earlier);
    expect(queue.size).toBe(2);
  });
});
