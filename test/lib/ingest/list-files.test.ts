import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listFiles } from '../../../lib/ingest/list-files.ts';
import { DIGEST_SKIP_REASON } from '../../../lib/ingest/types.ts';
import { put, tempDir } from './helpers.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

describe('listFiles', () => {
  it('expands directories recursively, shows paths under the path given, and notes stdin', async () => {
    await put(dir, 'a/b/c.json', '{}');
    await put(dir, 'a/d.json', '{}');
    const listing = await listFiles([dir, '-']);
    expect(listing.files.map((file) => file.display)).toEqual([
      join(dir, 'a/b/c.json'),
      join(dir, 'a/d.json'),
    ]);
    expect(listing.stdin).toBe(true);
    expect(listing.skips).toEqual([]);
  });

  it('treats any CloudTrail-Digest ancestor as a digest, quietly', async () => {
    const digest = await put(dir, 'CloudTrail-Digest/us-east-1/x.json.gz', '{}');
    const listing = await listFiles([dir, digest]);
    expect(listing.files).toEqual([]);
    expect(listing.skips).toEqual([
      { kind: 'skip', origin: { file: digest }, reason: DIGEST_SKIP_REASON, quiet: true },
    ]);
  });

  it('ignores hidden entries met while walking but reads a hidden file named explicitly', async () => {
    const hidden = await put(dir, '.cache/x.json', '{}');
    expect((await listFiles([dir])).files).toEqual([]);
    expect((await listFiles([hidden])).files.map((file) => file.display)).toEqual([hidden]);
  });

  it('reports paths that cannot be listed and keeps going', async () => {
    const listing = await listFiles([join(dir, 'nope'), dir]);
    expect(listing.skips).toHaveLength(1);
    expect(listing.skips[0]).toMatchObject({ kind: 'skip', origin: { file: join(dir, 'nope') } });
  });
});
