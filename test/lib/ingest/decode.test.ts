import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeBytes, decodeBytesSync, formatBytes, isGzip } from '../../../lib/ingest/decode.ts';

const text = '{"Records":[]}';

describe('decodeBytes', () => {
  it('detects gzip by its magic bytes and decompresses it', async () => {
    expect(isGzip(gzipSync(text))).toBe(true);
    expect(await decodeBytes(gzipSync(text), 1024)).toEqual({ ok: true, text });
  });

  it('decodes every member of a multi-member gzip (concatenated deliveries)', async () => {
    const bytes = Buffer.concat([gzipSync('{"a":1}'), gzipSync('{"b":2}')]);
    expect(await decodeBytes(bytes, 1024)).toEqual({ ok: true, text: '{"a":1}{"b":2}' });
  });

  it('passes plain text through and drops a UTF-8 BOM', async () => {
    expect(isGzip(Buffer.from(text))).toBe(false);
    expect(await decodeBytes(Buffer.from(`\uFEFF${text}`), 1024)).toEqual({ ok: true, text });
  });

  it('decodes UTF-16 text marked by a byte-order mark (PowerShell redirects)', async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
    expect(await decodeBytes(le, 1024)).toEqual({ ok: true, text });
    expect(await decodeBytes(be, 1024)).toEqual({ ok: true, text });
  });

  it('names a truncated gzip', async () => {
    const bytes = gzipSync(text.repeat(100)).subarray(0, 30);
    expect(await decodeBytes(bytes, 1024 * 1024)).toEqual({
      ok: false,
      reason: 'truncated gzip (unexpected end of file)',
    });
  });

  it('names a corrupt gzip', async () => {
    const result = await decodeBytes(Buffer.from([0x1f, 0x8b, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), 1024);
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/^corrupt gzip \(/) });
  });

  it('refuses to decompress past the cap (gzip bombs)', async () => {
    const result = await decodeBytes(gzipSync(Buffer.alloc(100_000, 0x20)), 1024);
    expect(result).toEqual({ ok: false, reason: 'decompressed content over the 1 KiB cap' });
    expect(decodeBytesSync(gzipSync(Buffer.alloc(100_000, 0x20)), 1024)).toEqual(result);
  });

  it('reports an empty file, compressed or not', async () => {
    expect(await decodeBytes(Buffer.alloc(0), 1024)).toEqual({ ok: false, reason: 'empty file' });
    expect(await decodeBytes(gzipSync(''), 1024)).toEqual({ ok: false, reason: 'empty file' });
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(12)).toBe('12 bytes');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(512 * 1024 * 1024)).toBe('512 MiB');
  });
});
