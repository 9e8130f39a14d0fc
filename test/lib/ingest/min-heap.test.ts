import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../../lib/ingest/min-heap.ts';

describe('MinHeap', () => {
  it('gives back what was pushed in the order of its comparison, pushes and pops interleaved (property)', () => {
    const step = fc.oneof(fc.integer({ min: -50, max: 50 }), fc.constant<'pop'>('pop'));
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const heap = new MinHeap<number>((a, b) => a - b);
        const model: number[] = [];
        for (const s of steps) {
          if (s === 'pop') {
            model.sort((a, b) => a - b);
            expect(heap.pop()).toBe(model.shift());
          } else {
            heap.push(s);
            model.push(s);
          }
          expect(heap.size).toBe(model.length);
        }
        const rest: number[] = [];
        for (let next = heap.pop(); next !== undefined; next = heap.pop()) rest.push(next);
        expect(rest).toEqual(model.sort((a, b) => a - b));
      }),
      { numRuns: 300 },
    );
  });
});
