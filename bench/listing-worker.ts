import { listFiles, streamFiles } from '../lib/ingest/list-files.ts';

/**
 * One listing measurement in a fresh process: `node --expose-gc --import tsx bench/listing-worker.ts <mode>
 * <AWSLogs dir>`. Prints one JSON line.
 *
 * - `stream`: what a replay does (`streamFiles`), handing each file on as it comes. The live heap (after a
 *   full GC) is sampled every 5,000 files: what the listing holds while the replay runs.
 * - `whole`: the same files collected into one list first (`listFiles`), then the live heap with the list
 *   held: what reading the first file waited for before time directories were opened as reached.
 */

export type ListingMode = 'stream' | 'whole';

export interface ListingResult {
  mode: ListingMode;
  files: number;
  /** From the start to the first file handed on, ms. */
  firstFileMs: number;
  /** From the start to the last file, ms. */
  totalMs: number;
  /** Largest live heap above the starting one, bytes. */
  liveHeapBytes: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Time spent sampling (full GCs), kept out of the timings. */
let samplingMs = 0;

function liveHeap(): number {
  const started = performance.now();
  gc?.();
  const used = process.memoryUsage().heapUsed;
  samplingMs += performance.now() - started;
  return used;
}

async function main(): Promise<void> {
  const [mode, dir] = process.argv.slice(2) as [ListingMode, string];
  if (gc === undefined) throw new Error('run with --expose-gc');
  const base = liveHeap();
  samplingMs = 0;
  let result: ListingResult;
  const started = performance.now();
  if (mode === 'whole') {
    const listing = await listFiles([dir]);
    const ms = performance.now() - started;
    const held = liveHeap() - base;
    result = { mode, files: listing.files.length, firstFileMs: ms, totalMs: ms, liveHeapBytes: held };
  } else {
    let peak = 0;
    let files = 0;
    let firstFileMs = Number.NaN;
    for await (const entry of streamFiles([dir]).entries) {
      if (entry.kind !== 'file') continue;
      if (files++ === 0) firstFileMs = performance.now() - started - samplingMs;
      if (files % 5000 === 0) peak = Math.max(peak, liveHeap() - base);
    }
    const totalMs = performance.now() - started - samplingMs;
    result = { mode, files, firstFileMs, totalMs, liveHeapBytes: peak };
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
