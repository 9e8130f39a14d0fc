import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, eventIds, put, record, tempDir } from './helpers.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const s3Key = (account: string, stamp: string, suffix: string) =>
  `AWSLogs/${account}/CloudTrail/us-east-1/2025/03/06/${account}_CloudTrail_us-east-1_${stamp}_${suffix}.json.gz`;

describe('readCloudTrail: a replay does not depend on the order of paths', () => {
  it('yields the same sequence for every permutation of the paths given', async () => {
    const late = await put(
      dir,
      s3Key('111111111111', '20250306T0240Z', 'AAAAAAAAAAAAAAAA'),
      { Records: [record('late')] },
      true,
    );
    const early = await put(
      dir,
      s3Key('222222222222', '20250306T0230Z', 'BBBBBBBBBBBBBBBB'),
      { Records: [record('early')] },
      true,
    );
    const other = await put(dir, 'exports/b.json', record('other-b'));
    const another = await put(dir, 'exports/a.jsonl', JSON.stringify(record('other-a')));
    const permutations = [
      [late, early, other, another],
      [another, other, early, late],
      [early, another, late, other],
      [dir],
      [`${dir}/exports`, `${dir}/AWSLogs`],
    ];
    for (const paths of permutations) {
      expect(eventIds(await collect(paths))).toEqual(['early', 'late', 'other-a', 'other-b']);
    }
  });

  it('orders by the S3 object-name timestamp, not by path, and breaks ties by path', async () => {
    // Account 999… sorts after 111… by path, but its file was delivered first.
    await put(
      dir,
      s3Key('999999999999', '20250306T0230Z', 'CCCCCCCCCCCCCCCC'),
      { Records: [record('999-0230')] },
      true,
    );
    await put(
      dir,
      s3Key('111111111111', '20250306T0235Z', 'DDDDDDDDDDDDDDDD'),
      { Records: [record('111-0235')] },
      true,
    );
    await put(
      dir,
      s3Key('555555555555', '20250306T0235Z', 'EEEEEEEEEEEEEEEE'),
      { Records: [record('555-0235')] },
      true,
    );
    expect(eventIds(await collect([dir]))).toEqual(['999-0230', '111-0235', '555-0235']);
  });

  it('reads a file named twice (directly and through its directory) once', async () => {
    const path = await put(dir, 'x/one.json', record('once'));
    expect(eventIds(await collect([path, dir, `${dir}/x/../x/one.json`]))).toEqual(['once']);
  });
});

describe('readCloudTrail: records inside a file come out in eventTime order', () => {
  it('sorts stably by eventTime, mixing ISO and Panther forms, untimed records last in file order', async () => {
    const records = [
      record('untimed-1', 'not a time'),
      record('t3', '2025-04-16T02:46:58Z'),
      record('t1-a', '2025-04-16 02:46:56.000000000'),
      { eventName: 'NoTime', eventID: 'untimed-2' },
      record('t2', '2025-04-16T02:46:57.5Z'),
      record('t1-b', '2025-04-16T02:46:56Z'),
    ];
    const path = await put(dir, 'unsorted.json', { Records: records });
    const items = await collect([path]);
    expect(eventIds(items)).toEqual(['t1-a', 't1-b', 't2', 't3', 'untimed-1', 'untimed-2']);
    // The index still points at the record's place in the file.
    expect(items.map((item) => item.origin.index)).toEqual([2, 5, 4, 1, 0, 3]);
  });
});
