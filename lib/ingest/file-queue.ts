import { compareTimedFiles, type TimedFile } from './order-files.ts';

/**
 * The timed files listed so far and not yet handed on, earliest first in the order of `orderFiles`: a
 * binary min-heap, so a replay holds one day's files at a time rather than a sorted list of all of them.
 */
export class FileQueue {
  readonly #heap: TimedFile[] = [];

  get size(): number {
    return this.#heap.length;
  }

  /** The earliest file, without removing it. */
  peek(): TimedFile | undefined {
    return this.#heap[0];
  }

  push(item: TimedFile): void {
    const heap = this.#heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compareTimedFiles(heap[parent] as TimedFile, item) <= 0) break;
      heap[i] = heap[parent] as TimedFile;
      i = parent;
    }
    heap[i] = item;
  }

  /** Removes and returns the earliest file. */
  pop(): TimedFile | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child =
        right < heap.length && compareTimedFiles(heap[right] as TimedFile, heap[left] as TimedFile) < 0
          ? right
          : left;
      if (compareTimedFiles(last, heap[child] as TimedFile) <= 0) break;
      heap[i] = heap[child] as TimedFile;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
