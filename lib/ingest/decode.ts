import { isAscii } from 'node:buffer';
import { promisify } from 'node:util';
import { gunzip, gunzipSync } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

/** Text decoded from a file's bytes, or why it could not be. */
export type Decoded = { ok: true; text: string } | { ok: false; reason: string };

/**
 * True when `bytes` start with the gzip magic number `1f 8b`. Extensions lie (`aws s3 cp` keeps
 * `.json.gz` names on decompressed copies, some tools gzip into `.json`), so the bytes decide.
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Turns a file's bytes into text: gunzips when the gzip magic is present (all members, so
 * concatenated gzip streams such as Firehose deliveries work), then decodes the text (UTF-8, or UTF-16
 * when a byte-order mark says so) and drops the BOM.
 * Never throws: a truncated or corrupt gzip, or content over `maxBytes`, comes back as a reason.
 */
export async function decodeBytes(bytes: Buffer, maxBytes: number): Promise<Decoded> {
  const inflated = await inflateBytes(bytes, maxBytes);
  return inflated.ok ? decodeText(inflated.bytes) : inflated;
}

/** A file's bytes with any gzip undone, or why that failed. */
export type Inflated = { ok: true; bytes: Buffer } | { ok: false; reason: string };

/**
 * The first half of {@link decodeBytes}: gunzips on the thread pool (bytes without the gzip magic come
 * back as they are), so a reader can inflate the next file while the current one is judged. Never throws.
 */
export async function inflateBytes(bytes: Buffer, maxBytes: number): Promise<Inflated> {
  if (!isGzip(bytes)) return { ok: true, bytes };
  try {
    const options = { maxOutputLength: maxBytes, chunkSize: outputChunkSize(bytes, maxBytes) };
    return { ok: true, bytes: await gunzipAsync(bytes, options) };
  } catch (error) {
    return { ok: false, reason: gzipFailure(error, maxBytes) };
  }
}

/** The second half of {@link decodeBytes}: the text in inflated bytes (on the calling thread: V8 owns strings). */
export function decodeText(bytes: Buffer): Decoded {
  return toText(bytes);
}

/** {@link decodeBytes} without the promise, for small in-memory payloads (a CloudWatch Logs `awslogs.data` blob). */
export function decodeBytesSync(bytes: Buffer, maxBytes: number): Decoded {
  if (!isGzip(bytes)) return toText(bytes);
  try {
    return toText(
      gunzipSync(bytes, { maxOutputLength: maxBytes, chunkSize: outputChunkSize(bytes, maxBytes) }),
    );
  } catch (error) {
    return { ok: false, reason: gzipFailure(error, maxBytes) };
  }
}

/** zlib's default output chunk, and the least we ask for. */
const MIN_CHUNK = 64 * 1024;
/** Deflate cannot expand more than about 1032:1, so a larger size hint is a lie. */
const MAX_DEFLATE_RATIO = 1032;
/** The most one output chunk takes, whatever the hint says: bigger contents just take more chunks. */
const MAX_CHUNK = 64 * 1024 * 1024;

/**
 * The output chunk for inflating `bytes` in one piece: zlib otherwise fills 16 KiB chunks and copies them
 * all into one buffer at the end (a 4 MB CloudTrail file is 250 chunks and a second copy). The size comes
 * from the gzip trailer (ISIZE: the last member's size mod 2^32), bounded by what the compressed size can
 * possibly expand to, by the cap and by 64 MiB, so a forged trailer cannot make a file allocate much. A wrong
 * hint costs only extra chunks; one byte of slack keeps an exact fit from allocating a second chunk.
 */
function outputChunkSize(bytes: Buffer, maxBytes: number): number {
  const hint = bytes.length >= 18 ? bytes.readUInt32LE(bytes.length - 4) + 1 : MIN_CHUNK;
  return Math.max(MIN_CHUNK, Math.min(hint, bytes.length * MAX_DEFLATE_RATIO, maxBytes + 1, MAX_CHUNK));
}

/** Formats a byte count for messages: `512 MiB`, `1.5 KiB`, `12 bytes`. */
export function formatBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB'] as const;
  let value = bytes;
  let unit = 'bytes';
  for (const next of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return unit === 'bytes' ? `${bytes} bytes` : `${Number(value.toFixed(1))} ${unit}`;
}

function toText(bytes: Buffer): Decoded {
  if (bytes.length === 0) return { ok: false, reason: 'empty file' };
  try {
    const text = bytesToString(bytes);
    return { ok: true, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  } catch (error) {
    // V8 caps strings at ~512 MiB; a buffer just under the byte cap can still exceed it.
    return { ok: false, reason: `cannot decode as text (${errorMessage(error)})` };
  }
}

/** UTF-8, unless a UTF-16 byte-order mark says otherwise (Windows PowerShell 5 writes `>` redirects as UTF-16LE). */
function bytesToString(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const even = bytes.subarray(0, bytes.length - (bytes.length % 2));
    return Buffer.from(even).swap16().toString('utf16le');
  }
  // CloudTrail files are nearly always pure ASCII, which is also Latin-1: decoding it as such skips the
  // UTF-8 decoder (several times slower here) and gives the same string.
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

function gzipFailure(error: unknown, maxBytes: number): string {
  const message = errorMessage(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
    return `decompressed content over the ${formatBytes(maxBytes)} cap`;
  }
  if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(message)) return `truncated gzip (${message})`;
  return `corrupt gzip (${message})`;
}

/** The message of anything thrown, for skip reasons. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
