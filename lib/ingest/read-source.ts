import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { errorMessage, formatBytes } from './decode.ts';

/** A source's raw bytes, or why they could not be read. */
export type SourceBytes = { ok: true; bytes: Buffer } | { ok: false; reason: string };

/**
 * Reads a whole file, refusing one larger than `maxBytes` before reading it (by its size) or, for
 * pipes and devices that have no size, as soon as it grows past the cap. Never throws.
 */
export async function readFileBounded(file: string, maxBytes: number): Promise<SourceBytes> {
  let highWaterMark: number | undefined;
  try {
    const info = await stat(file);
    if (info.isDirectory()) return { ok: false, reason: 'is a directory' };
    if (info.isFile() && info.size > maxBytes) return tooLarge(info.size, maxBytes);
    // A regular file in one read (bounded) instead of 64 KiB chunks: each chunk waits for a turn of the
    // event loop, and a reader reading ahead while the previous file is judged gets few turns. Exactly its
    // size: a read that fills its buffer is handed on as it is, while a shorter one is copied to fit.
    if (info.isFile()) highWaterMark = Math.min(Math.max(info.size, MIN_READ), MAX_READ);
  } catch (error) {
    return { ok: false, reason: `cannot read: ${errorMessage(error)}` };
  }
  return readStreamBounded(createReadStream(file, { highWaterMark }), maxBytes);
}

const MIN_READ = 64 * 1024;
const MAX_READ = 16 * 1024 * 1024;

/** Reads a stream to its end (stdin, a FIFO), stopping with a reason once it passes `maxBytes`. Never throws. */
export async function readStreamBounded(
  stream: NodeJS.ReadableStream,
  maxBytes: number,
): Promise<SourceBytes> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += buffer.length;
      // Leaving the loop early destroys the stream, so nothing past the cap is buffered.
      if (total > maxBytes) return tooLarge(total, maxBytes, true);
      chunks.push(buffer);
    }
  } catch (error) {
    return { ok: false, reason: `cannot read: ${errorMessage(error)}` };
  }
  // One chunk (a whole regular file) needs no second copy.
  return { ok: true, bytes: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total) };
}

function tooLarge(size: number, maxBytes: number, atLeast = false): SourceBytes {
  const amount = `${atLeast ? 'at least ' : ''}${formatBytes(size)}`;
  return { ok: false, reason: `file too large (${amount}; the cap is ${formatBytes(maxBytes)})` };
}
