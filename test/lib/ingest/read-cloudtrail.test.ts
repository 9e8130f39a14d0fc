import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCloudTrail } from '../../../lib/ingest/read-cloudtrail.ts';
import { CONTROL_MESSAGE_SKIP_REASON, type IngestItem, STDIN_FILE } from '../../../lib/ingest/types.ts';
import {
  awslogsEvent,
  collect,
  eventIds,
  loadFixture,
  logsPayload,
  put,
  record,
  skipsOf,
  tempDir,
} from './helpers.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

describe('readCloudTrail: every shape a user has', () => {
  it('reads an S3 log file, gzipped, with origins pointing at each entry', async () => {
    const log = await loadFixture('cloud-snitch-s3-log-file-222-mixed-service-traffic.json');
    const path = await put(
      dir,
      '222222222222_CloudTrail_us-east-1_20250306T0230Z_QF6qcgyiaVnSueXa.json.gz',
      log,
      true,
    );
    const items = await collect([path]);
    expect(items).toHaveLength(8);
    expect(items.every((item) => item.kind === 'record' && item.origin.file === path)).toBe(true);
    expect(items.map((item) => item.origin.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('detects gzip by magic bytes: gzip named .json, plain text named .gz', async () => {
    const gzipped = await put(dir, 'gzipped.json', { Records: [record('g')] }, true);
    const plain = await put(dir, 'plain.json.gz', { Records: [record('p')] });
    expect(eventIds(await collect([gzipped, plain]))).toEqual(['g', 'p']);
  });

  it('reads a single record object (real fixture)', async () => {
    const fixture = await loadFixture('assume-role-with-web-identity-github-success-cloud-snitch.json');
    const path = await put(dir, 'one.json', fixture);
    expect(await collect([path])).toEqual([
      { kind: 'record', record: fixture, origin: { file: path, index: 0 } },
    ]);
  });

  it('reads EventBridge events: the record is the detail', async () => {
    const apiCall = await loadFixture('eventbridge-envelope-api-call-createbucket-root-awsdocs.json');
    const signIn = await loadFixture('eventbridge-envelope-console-signin-root-awsdocs.json');
    const a = await put(dir, 'api.json', apiCall);
    const b = await put(dir, 'signin.json', signIn);
    const records = (await collect([a, b])).map((item) => item.kind === 'record' && item.record);
    expect(records).toEqual([apiCall.detail, signIn.detail]);
  });

  it('reads JSON Lines of mixed shapes, keeping line numbers', async () => {
    const lines = [
      JSON.stringify(record('a')),
      '',
      JSON.stringify({ 'detail-type': 'AWS API Call via CloudTrail', detail: record('b') }),
      JSON.stringify({ Records: [record('c')] }),
    ];
    const path = await put(dir, 'events.jsonl', `${lines.join('\n')}\n`);
    const items = await collect([path]);
    expect(eventIds(items)).toEqual(['a', 'b', 'c']);
    expect(items.map((item) => item.origin.line)).toEqual([1, 3, 4]);
  });

  it('skips a broken JSON Lines line by number and keeps the rest of the file', async () => {
    const text = [JSON.stringify(record('a')), '{"eventName": "Trunc', JSON.stringify(record('c'))].join(
      '\n',
    );
    const path = await put(dir, 'events.jsonl', text);
    const items = await collect([path]);
    expect(eventIds(items)).toEqual(['a', 'c']);
    const [skip] = skipsOf(items);
    expect(skip?.origin).toEqual({ file: path, line: 2, index: 1 });
    expect(skip?.reason).toMatch(/^line 2: not JSON: /);
  });

  it('reads a JSON array of records and envelopes', async () => {
    const path = await put(dir, 'array.json', [
      record('a'),
      { 'detail-type': 'AWS Console Signin via CloudTrail', detail: record('b') },
    ]);
    expect(eventIds(await collect([path]))).toEqual(['a', 'b']);
  });

  it('reads aws cloudtrail lookup-events output', async () => {
    const output = {
      Events: [record('a'), record('b')].map((r) => ({
        EventId: r.eventID,
        CloudTrailEvent: JSON.stringify(r),
      })),
    };
    const path = await put(dir, 'lookup.json', output);
    expect(eventIds(await collect([path]))).toEqual(['a', 'b']);
  });

  it('reads CloudWatch Logs subscription payloads, plain and as the awslogs.data Lambda event', async () => {
    const plain = await put(dir, 'cwl.json', logsPayload([record('a')]));
    const lambda = await put(dir, 'lambda-event.json', awslogsEvent(logsPayload([record('b')])));
    expect(eventIds(await collect([lambda, plain]))).toEqual(['a', 'b']);
  });

  it('counts a CONTROL_MESSAGE as a quiet skip', async () => {
    const path = await put(dir, 'control.json', awslogsEvent(logsPayload([], 'CONTROL_MESSAGE')));
    expect(await collect([path])).toEqual([
      { kind: 'skip', origin: { file: path, index: 0 }, reason: CONTROL_MESSAGE_SKIP_REASON, quiet: true },
    ]);
  });

  it('reads Firehose-style concatenated gzip members of CloudWatch Logs payloads', async () => {
    const bytes = Buffer.concat([
      gzipSync(JSON.stringify(logsPayload([record('a', '2025-01-01T00:00:00Z')]))),
      gzipSync(JSON.stringify(logsPayload([record('b', '2025-01-01T00:00:01Z')]))),
    ]);
    const path = await put(dir, 'firehose-delivery', bytes);
    expect(eventIds(await collect([path]))).toEqual(['a', 'b']);
  });

  it('reads stdin when the path is -, gzipped or not, after the files', async () => {
    const path = await put(dir, 'file.json', record('f'));
    const stdin = Readable.from([gzipSync(JSON.stringify({ Records: [record('s')] }))]);
    const items = await collect(['-', path], { stdin });
    expect(eventIds(items)).toEqual(['f', 's']);
    expect(items[1]?.origin.file).toBe(STDIN_FILE);
  });

  it('reads JSON Lines from stdin in string chunks', async () => {
    const stdin = Readable.from([`${JSON.stringify(record('a'))}\n`, JSON.stringify(record('b'))]);
    expect(eventIds(await collect(['-'], { stdin }))).toEqual(['a', 'b']);
  });

  it('reports each file and its byte count through onFile', async () => {
    const path = await put(dir, 'one.json', record('a'));
    const stdin = Readable.from([Buffer.from(JSON.stringify(record('b')))]);
    const seen: Array<[string, number]> = [];
    await collect([path, '-'], { stdin, onFile: (file, bytes) => seen.push([file, bytes]) });
    expect(seen).toEqual([
      [path, JSON.stringify(record('a')).length],
      [STDIN_FILE, JSON.stringify(record('b')).length],
    ]);
  });

  it('reads day directories as it reaches them; one gone by then is named where it stood', async () => {
    const day = (date: string) => `AWSLogs/111111111111/CloudTrail/us-east-1/2026/10/${date}`;
    const file = (date: string, minute: number) =>
      `${day(date)}/111111111111_CloudTrail_us-east-1_202610${date}T00${String(minute).padStart(2, '0')}Z_abcdefghijklmnop.json.gz`;
    for (const minute of [0, 5, 10, 15, 20])
      await put(
        dir,
        file('04', minute),
        { Records: [record(`04-${minute}`, `2026-10-04T00:${minute}:30Z`)] },
        true,
      );
    await put(dir, file('05', 0), { Records: [record('05-0', '2026-10-05T00:00:30Z')] }, true);
    await put(dir, file('06', 0), { Records: [record('06-0', '2026-10-06T00:00:30Z')] }, true);
    const items: IngestItem[] = [];
    for await (const item of readCloudTrail([dir])) {
      items.push(item);
      // Files are listed only as the three-file read-ahead needs them: long after this first record.
      if (items.length === 1) await rm(join(dir, day('05')), { recursive: true });
    }
    expect(items.map((item) => (item.kind === 'record' ? item.record.eventID : item.origin.file))).toEqual([
      '04-0',
      '04-5',
      '04-10',
      '04-15',
      '04-20',
      join(dir, day('05')),
      '06-0',
    ]);
    expect(skipsOf(items)[0]?.reason).toMatch(/^cannot read directory: /);
  });

  it('passes over S3 log files delivered more than an hour before since, and reads every other file', async () => {
    const named = (stamp: string) =>
      `AWSLogs/111111111111/CloudTrail/us-east-1/2026/10/0${stamp[7]}/111111111111_CloudTrail_us-east-1_${stamp}_abcdefghijklmnop.json.gz`;
    const early = await put(
      dir,
      named('20261004T2255Z'),
      { Records: [record('early', '2026-10-04T22:50:00Z')] },
      true,
    );
    await put(dir, named('20261004T2305Z'), { Records: [record('margin', '2026-10-04T23:00:00Z')] }, true);
    await put(dir, named('20261005T0005Z'), { Records: [record('in-range', '2026-10-05T00:01:00Z')] }, true);
    await put(dir, 'exported.json', { Records: [record('untimed', '2026-10-01T00:00:00Z')] });
    const since = Date.parse('2026-10-05T00:00:00Z');
    const earlier: string[] = [];
    const read: string[] = [];
    const items = await collect([dir], {
      since,
      onEarlierFile: (file) => earlier.push(file),
      onFile: (file) => read.push(file),
    });
    expect(earlier).toEqual([early]);
    expect(eventIds(items)).toEqual(['margin', 'in-range', 'untimed']);
    expect(read).toHaveLength(3);
    expect(eventIds(await collect([dir]))).toEqual(['early', 'margin', 'in-range', 'untimed']);
  });
});
