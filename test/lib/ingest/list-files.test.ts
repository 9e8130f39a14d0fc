import { mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ListingEntry, listFiles, streamFiles } from '../../../lib/ingest/list-files.ts';
import { orderFiles } from '../../../lib/ingest/order-files.ts';
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

/** A CloudTrail S3 object name delivered at `minute` past midnight of `day` (`YYYY/MM/DD`). */
function s3Name(account: string, region: string, day: string, minute: number): string {
  const [year, month, date] = day.split('/');
  const hh = String(Math.floor(minute / 60)).padStart(2, '0');
  const mm = String(minute % 60).padStart(2, '0');
  return `AWSLogs/${account}/CloudTrail/${region}/${day}/${account}_CloudTrail_${region}_${year}${month}${date}T${hh}${mm}Z_${`${region}${minute}`.padEnd(16, 'x').slice(0, 16)}.json.gz`;
}

async function streamed(paths: readonly string[]): Promise<ListingEntry[]> {
  const entries: ListingEntry[] = [];
  for await (const entry of streamFiles(paths).entries) entries.push(entry);
  return entries;
}

const filesOf = (entries: readonly ListingEntry[]) =>
  entries.flatMap((entry) => (entry.kind === 'file' ? [entry.file] : []));

describe('streamFiles: CloudTrail year, month and day directories, opened as reached', () => {
  it('gives the order of listing everything first, across accounts, regions, days and loose files', async () => {
    const written: string[] = [];
    for (const account of ['111111111111', '222222222222'])
      for (const region of ['us-east-1', 'eu-west-1'])
        for (const day of ['2026/10/04', '2026/10/05', '2026/11/01'])
          for (const minute of [0, 5, 725, 1435])
            written.push(await put(dir, s3Name(account, region, day, minute), '{}'));
    // A loose S3-named file outside the layout (delivered at a day directory's midnight, so it must wait for
    // that directory to be opened), files with no time in their name, and a digest day.
    written.push(
      await put(dir, `loose/${s3Name('333333333333', 'us-east-1', '2026/10/05', 0).split('/').pop()}`, '{}'),
    );
    written.push(await put(dir, 'exports/events.json', '{}'));
    written.push(await put(dir, 'AWSLogs/111111111111/CloudTrail/us-east-1/2026/10/05/notes.json', '{}'));
    const digest = await put(
      dir,
      'AWSLogs/111111111111/CloudTrail-Digest/us-east-1/2026/10/05/d.json.gz',
      '{}',
    );

    const entries = await streamed([dir]);
    const expected = orderFiles(
      written.filter((path) => path !== digest).map((path) => ({ display: path, absolute: path })),
    );
    expect(filesOf(entries).map((file) => file.absolute)).toEqual(expected.map((file) => file.absolute));
    expect(expected.at(-1)?.absolute).toBe(join(dir, 'exports/events.json'));
    const skips = entries.flatMap((entry) => (entry.kind === 'skips' ? entry.skips : []));
    expect(skips).toEqual([
      { kind: 'skip', origin: { file: digest }, reason: DIGEST_SKIP_REASON, quiet: true },
    ]);
    expect((await listFiles([dir])).files.map((file) => file.absolute)).toEqual(
      expected.map((file) => file.absolute),
    );
  });

  it('lists a later day only when the replay reaches it', async () => {
    await put(dir, s3Name('111111111111', 'us-east-1', '2026/10/04', 10), '{}');
    await put(dir, s3Name('111111111111', 'us-east-1', '2026/10/05', 10), '{}');
    const entries = streamFiles([dir]).entries;
    const first = await entries.next();
    expect(first.value).toMatchObject({
      kind: 'file',
      file: { display: join(dir, s3Name('111111111111', 'us-east-1', '2026/10/04', 10)) },
    });
    // Written after the first file was handed on: seen, because its day had not been listed yet.
    const lateArrival = await put(dir, s3Name('111111111111', 'us-east-1', '2026/10/05', 5), '{}');
    const rest = [];
    for await (const entry of entries) rest.push(entry);
    expect(filesOf(rest).map((file) => file.display)).toEqual([
      lateArrival,
      join(dir, s3Name('111111111111', 'us-east-1', '2026/10/05', 10)),
    ]);
  });

  it('opens a later month, and a later year, only when the replay reaches it', async () => {
    const first = await put(dir, s3Name('111111111111', 'us-east-1', '2025/11/30', 10), '{}');
    const newYear = await put(dir, s3Name('111111111111', 'us-east-1', '2026/01/01', 10), '{}');
    await mkdir(join(dir, 'AWSLogs/111111111111/CloudTrail/us-east-1/2025/12'));
    const entries = streamFiles([dir]).entries;
    expect((await entries.next()).value).toMatchObject({ kind: 'file', file: { display: first } });
    // Written after the first file was handed on, into a month and a year not opened yet: both seen.
    const december = await put(dir, s3Name('111111111111', 'us-east-1', '2025/12/15', 0), '{}');
    const february = await put(dir, s3Name('111111111111', 'us-east-1', '2026/02/01', 0), '{}');
    const rest = [];
    for await (const entry of entries) rest.push(entry);
    expect(filesOf(rest).map((file) => file.display)).toEqual([december, newYear, february]);
  });

  it('names a day directory that can no longer be read when its day comes, and lists the rest', async () => {
    const first = await put(dir, s3Name('111111111111', 'us-east-1', '2026/10/04', 10), '{}');
    await put(dir, s3Name('111111111111', 'us-east-1', '2026/10/05', 10), '{}');
    const last = await put(dir, s3Name('111111111111', 'us-east-1', '2026/10/06', 10), '{}');
    const entries = streamFiles([dir]).entries;
    expect((await entries.next()).value).toMatchObject({ kind: 'file', file: { display: first } });
    const gone = join(dir, 'AWSLogs/111111111111/CloudTrail/us-east-1/2026/10/05');
    await rm(gone, { recursive: true });
    const rest: ListingEntry[] = [];
    for await (const entry of entries) rest.push(entry);
    expect(rest).toEqual([
      {
        kind: 'skips',
        skips: [
          expect.objectContaining({
            origin: { file: gone },
            reason: expect.stringMatching(/^cannot read directory: /),
          }),
        ],
      },
      { kind: 'file', file: { display: last, absolute: last }, delivered: Date.UTC(2026, 9, 6, 0, 10) },
    ]);
  });

  it('places a file by the time in its name, even filed under an earlier day; one under a later day comes when that day is opened', async () => {
    const fourth = await put(dir, s3Name('111111111111', 'us-east-1', '2026/10/04', 600), '{}');
    const onTime = await put(dir, s3Name('111111111111', 'us-east-1', '2026/10/05', 600), '{}');
    // Delivered on the 6th by its name, filed under the 4th: still read after the 5th's file.
    const filedEarly = await put(
      dir,
      `AWSLogs/111111111111/CloudTrail/us-east-1/2026/10/04/${s3Name('111111111111', 'us-east-1', '2026/10/06', 0).split('/').pop()}`,
      '{}',
    );
    // Delivered on the 3rd by its name, filed under the 5th: read when the 5th is opened, so after the 4th's
    // file (the one place where the order differs from listing everything first).
    const filedLate = await put(
      dir,
      `AWSLogs/111111111111/CloudTrail/us-east-1/2026/10/05/${s3Name('111111111111', 'us-east-1', '2026/10/03', 0).split('/').pop()}`,
      '{}',
    );
    expect(filesOf(await streamed([dir])).map((file) => file.display)).toEqual([
      fourth,
      filedLate,
      onTime,
      filedEarly,
    ]);
  });

  it('lists a day directory reached twice once, and a file named on its own once', async () => {
    const file = await put(dir, s3Name('111111111111', 'us-east-1', '2026/10/05', 10), '{}');
    const day = join(dir, 'AWSLogs/111111111111/CloudTrail/us-east-1/2026/10/05');
    await symlink(day, join(dir, 'AWSLogs/111111111111/CloudTrail/us-east-1/2026/10/link'));
    expect(filesOf(await streamed([dir, day, file])).map((listed) => listed.display)).toEqual([file]);
  });
});
