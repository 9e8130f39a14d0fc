import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readCloudTrail } from '../../../lib/ingest/read-cloudtrail.ts';
import type { IngestItem, IngestOptions } from '../../../lib/ingest/types.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/ingest');

/** Parses a fixture from test/fixtures/ingest (copies of /work/shared/corpus files). */
export async function loadFixture(name: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
}

/** A minimal CloudTrail record; `eventID` identifies it in assertions. */
export function record(eventID: string, eventTime = '2025-04-16T02:46:56Z', extra: object = {}) {
  return {
    eventVersion: '1.08',
    eventTime,
    eventSource: 'sts.amazonaws.com',
    eventName: 'GetCallerIdentity',
    userIdentity: { type: 'IAMUser' },
    eventID,
    ...extra,
  };
}

/** A fresh temporary directory, removed by the returned `cleanup`. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'trailguard-ingest-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes `content` (a value is JSON-stringified) under `dir`, creating parent directories; returns the path. */
export async function put(dir: string, relative: string, content: unknown, gzip = false): Promise<string> {
  const path = join(dir, relative);
  await mkdir(dirname(path), { recursive: true });
  const bytes =
    content instanceof Uint8Array
      ? content
      : Buffer.from(typeof content === 'string' ? content : JSON.stringify(content));
  await writeFile(path, gzip ? gzipSync(bytes) : bytes);
  return path;
}

/** Runs {@link readCloudTrail} to the end. */
export async function collect(paths: readonly string[], options?: IngestOptions): Promise<IngestItem[]> {
  const items: IngestItem[] = [];
  for await (const item of readCloudTrail(paths, options)) items.push(item);
  return items;
}

/** The `eventID`s of the records among `items`, in order. */
export function eventIds(items: readonly IngestItem[]): unknown[] {
  return items.flatMap((item) => (item.kind === 'record' ? [item.record.eventID] : []));
}

/** The skips among `items`. */
export function skipsOf(items: readonly IngestItem[]): Extract<IngestItem, { kind: 'skip' }>[] {
  return items.filter((item): item is Extract<IngestItem, { kind: 'skip' }> => item.kind === 'skip');
}

/** A CloudWatch Logs subscription payload carrying `records` as log event messages. */
export function logsPayload(records: readonly object[], messageType = 'DATA_MESSAGE') {
  return {
    messageType,
    owner: '123456789012',
    logGroup: 'aws-cloudtrail-logs',
    logStream: '123456789012_CloudTrail_us-east-1',
    subscriptionFilters: ['trailguard'],
    logEvents: records.map((r, i) => ({
      id: String(i),
      timestamp: 1_713_235_616_000 + i,
      message: JSON.stringify(r),
    })),
  };
}

/** The raw Lambda event for a CloudWatch Logs subscription: `{"awslogs":{"data": base64(gzip(payload))}}`. */
export function awslogsEvent(payload: object) {
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(payload))).toString('base64') } };
}
