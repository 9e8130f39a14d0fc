import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { streamFiles } from '../../../lib/ingest/list-files.ts';
import { type ListedFile, orderFiles } from '../../../lib/ingest/order-files.ts';

const pad = (n: number) => String(n).padStart(2, '0');

/** A file CloudTrail could have delivered: account, region, year, month and day, minute of the day. */
const delivered = fc.record({
  account: fc.constantFrom('111111111111', '222222222222'),
  region: fc.constantFrom('us-east-1', 'eu-west-1', 'ap-south-1'),
  year: fc.constantFrom(2025, 2026),
  month: fc.constantFrom(1, 2, 12),
  day: fc.constantFrom(1, 2, 28),
  minute: fc.constantFrom(0, 1, 720, 1439),
  suffix: fc.constantFrom('AAAAAAAAAAAAAAAA', 'BBBBBBBBBBBBBBBB', 'aaaaaaaaaaaaaaaa'),
});
type Delivered = typeof delivered extends fc.Arbitrary<infer T> ? T : never;

function s3Path({ account, region, year, month, day, minute, suffix }: Delivered): string {
  const date = `${year}${pad(month)}${pad(day)}`;
  const stamp = `${date}T${pad(Math.floor(minute / 60))}${pad(minute % 60)}Z`;
  return `AWSLogs/${account}/CloudTrail/${region}/${year}/${pad(month)}/${pad(day)}/${account}_CloudTrail_${region}_${stamp}_${suffix}.json.gz`;
}

describe('streamFiles (property)', () => {
  it('lists any CloudTrail tree, with loose and untimed files, in the order of listing everything first', async () => {
    const root = await mkdtemp(join(tmpdir(), 'trailguard-listing-'));
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(delivered, { minLength: 1, maxLength: 25, selector: s3Path }),
          fc.uniqueArray(delivered, { maxLength: 3, selector: s3Path }),
          fc.uniqueArray(fc.constantFrom('a.json', 'B.json', 'z/events.jsonl'), { maxLength: 3 }),
          async (inLayout, loose, untimed) => {
            const dir = join(root, String(run++));
            const paths = [
              ...inLayout.map(s3Path),
              ...loose.map((file) => `loose/${s3Path(file).split('/').at(-1)}`),
              ...untimed.map((name) => `exports/${name}`),
            ].map((relative) => join(dir, relative));
            for (const path of paths) {
              await mkdir(join(path, '..'), { recursive: true });
              await writeFile(path, '');
            }
            const streamed: ListedFile[] = [];
            for await (const entry of streamFiles([dir]).entries)
              if (entry.kind === 'file') streamed.push(entry.file);
            const expected = orderFiles(paths.map((path) => ({ display: path, absolute: path })));
            expect(streamed.map((file) => file.absolute)).toEqual(expected.map((file) => file.absolute));
          },
        ),
        { numRuns: 40 },
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
