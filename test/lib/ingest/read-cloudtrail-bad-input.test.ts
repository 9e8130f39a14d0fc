import { symlink, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIGEST_SKIP_REASON } from '../../../lib/ingest/types.ts';
import { collect, eventIds, put, record, skipsOf, tempDir } from './helpers.ts';

let dir: string;
let cleanup: () => Promise<void>;
let good: string;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  good = await put(dir, 'good.json', { Records: [record('good')] });
});
afterEach(() => cleanup());

/** Reads `bad` next to the good file; the good record must survive and the bad file yield exactly `reason`. */
async function expectSkipped(bad: string, reason: string | RegExp, options = {}) {
  const items = await collect([bad, good], options);
  expect(eventIds(items)).toEqual(['good']);
  const skips = skipsOf(items);
  expect(skips).toHaveLength(1);
  expect(skips[0]?.origin.file).toBe(bad);
  expect(skips[0]?.reason).toMatch(reason);
}

describe('readCloudTrail: bad input never stops the run', () => {
  it('names a truncated gzip', async () => {
    const bytes = gzipSync(
      JSON.stringify({ Records: Array.from({ length: 50 }, (_, i) => record(`r${i}`)) }),
    );
    const bad = await put(dir, 'cut.json.gz', bytes.subarray(0, bytes.length / 2));
    await expectSkipped(bad, 'truncated gzip (unexpected end of file)');
  });

  it('names non-JSON with the parser message', async () => {
    await expectSkipped(await put(dir, 'notes.txt', 'this is not json'), /^not JSON: Unexpected token/);
  });

  it('reports an empty file', async () => {
    await expectSkipped(await put(dir, 'empty.json', ''), 'empty file');
  });

  it('reports JSON of the wrong shape', async () => {
    await expectSkipped(
      await put(dir, 'config.json', { foo: 1, bar: 2 }),
      'not a CloudTrail record (keys: foo, bar)',
    );
    await expectSkipped(await put(dir, 'number.json', '42'), 'not a JSON object (number)');
    await expectSkipped(await put(dir, 'null.json', 'null'), 'not a JSON object (null)');
  });

  it('skips only the non-object entries of a Records array, by index', async () => {
    const path = await put(dir, 'mixed.json', { Records: [record('a'), 3, record('b')] });
    const items = await collect([path]);
    expect(eventIds(items)).toEqual(['a', 'b']);
    expect(skipsOf(items)).toEqual([
      { kind: 'skip', origin: { file: path, index: 1 }, reason: 'Records[1]: not a JSON object (number)' },
    ]);
  });

  it('refuses a file over the size cap without reading it, giving sizes', async () => {
    const bad = await put(dir, 'huge.json', '');
    await truncate(bad, 4096);
    await expectSkipped(bad, 'file too large (4 KiB; the cap is 1 KiB)', { maxFileBytes: 1024 });
  });

  it('applies the cap to decompressed content too', async () => {
    const bad = await put(
      dir,
      'bomb.json.gz',
      { Records: [record('x', undefined, { pad: ' '.repeat(5000) })] },
      true,
    );
    await expectSkipped(bad, 'decompressed content over the 1 KiB cap', { maxFileBytes: 1024 });
  });

  it('reports a path that does not exist without stopping', async () => {
    await expectSkipped(join(dir, 'missing.json'), /^cannot read: ENOENT/);
  });

  it('reads an explicitly named non-regular file (a device)', async () => {
    const items = await collect(['/dev/null', good]);
    expect(eventIds(items)).toEqual(['good']);
    expect(skipsOf(items)).toEqual([{ kind: 'skip', origin: { file: '/dev/null' }, reason: 'empty file' }]);
  });
});

describe('readCloudTrail: directories', () => {
  it('walks recursively, skips digest files quietly, ignores hidden files and dangling links', async () => {
    const digest = await put(
      dir,
      'AWSLogs/111111111111/CloudTrail-Digest/us-east-1/2025/03/06/111111111111_CloudTrail-Digest_us-east-1_t_us-east-1_20250306T023000Z.json.gz',
      { awsAccountId: '111111111111', digestStartTime: '2025-03-06T01:30:00Z' },
      true,
    );
    await put(dir, 'AWSLogs/111111111111/CloudTrail/us-east-1/2025/03/06/deep.json.gz', record('deep'), true);
    await put(dir, '.hidden.json', record('hidden'));
    await put(dir, '.git/objects/x.json', record('hidden-dir'));
    await symlink(join(dir, 'nowhere'), join(dir, 'dangling.json'));
    await symlink(dir, join(dir, 'loop'));
    const items = await collect([dir]);
    expect(eventIds(items)).toEqual(['deep', 'good']);
    expect(skipsOf(items)).toEqual([
      { kind: 'skip', origin: { file: digest }, reason: DIGEST_SKIP_REASON, quiet: true },
    ]);
  });
});
