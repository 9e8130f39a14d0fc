import { rm } from 'node:fs/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, eventIds, put, record, tempDir } from './helpers.ts';

let dir: string;
let cleanup: () => Promise<void>;
let good: string;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  good = await put(dir, 'good.json', {
    Records: [record('good-1', '2025-01-01T00:00:01Z'), record('good-2', '2025-01-01T00:00:00Z')],
  });
});
afterAll(() => cleanup());

/** Whatever `content` holds, reading it beside the good file must not throw, and the good records must come out. */
async function survives(content: Uint8Array | string, gzip: boolean): Promise<void> {
  const bad = await put(dir, 'arbitrary.json', content, gzip);
  try {
    const ids = eventIds(await collect([bad, good]));
    expect(ids.filter((id) => id === 'good-1' || id === 'good-2').slice(-2)).toEqual(['good-2', 'good-1']);
  } finally {
    await rm(bad, { force: true });
  }
}

describe('readCloudTrail never throws on arbitrary input (property)', () => {
  it('arbitrary JSON values as a file', async () => {
    const json = fc.jsonValue().map((value) => JSON.stringify(value) ?? 'null');
    await fc.assert(fc.asyncProperty(json, fc.boolean(), survives), { numRuns: 150 });
  });

  it('arbitrary bytes as a file, sometimes starting with the gzip magic', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 512 }),
      fc.uint8Array({ maxLength: 512 }).map((b) => Uint8Array.from([0x1f, 0x8b, ...b])),
    );
    await fc.assert(fc.asyncProperty(bytes, fc.boolean(), survives), { numRuns: 150 });
  });

  it('arbitrary lines of JSON-ish text (JSON Lines, envelopes, garbage)', async () => {
    const line = fc.oneof(
      fc.jsonValue().map((value) => JSON.stringify(value) ?? ''),
      fc.constant(JSON.stringify(record('line'))),
      fc.constant('{"detail-type":"AWS API Call via CloudTrail","detail":'),
      fc.string(),
    );
    const text = fc.array(line, { maxLength: 8 }).map((lines) => lines.join('\n'));
    await fc.assert(fc.asyncProperty(text, fc.boolean(), survives), { numRuns: 150 });
  });
});
