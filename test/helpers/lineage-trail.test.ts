import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3ObjectTime } from '../../lib/ingest/order-files.ts';
import {
  allLineageRecords,
  type LineageTrail,
  lineageCases,
  lineageRecords,
  writeLineageTrail,
} from './lineage-trail.ts';

const FIXTURES = new URL('../fixtures/lineage/', import.meta.url);
const S3_NAME = /^(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_[A-Za-z0-9]{16}\.json\.gz$/;

type Json = Record<string, unknown>;

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else out.push(path);
  }
  return out;
}

/** Every key path of a record (array elements folded), to compare shapes, not values. */
function keyPaths(value: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keyPaths(item, `${prefix}[]`, out);
  else if (value !== null && typeof value === 'object')
    for (const [key, child] of Object.entries(value)) {
      out.add(`${prefix}.${key}`);
      keyPaths(child, `${prefix}.${key}`, out);
    }
  return out;
}

describe('writeLineageTrail', () => {
  let dir: string;
  let trail: LineageTrail;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lineage-trail-'));
    trail = await writeLineageTrail(dir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes gzipped {"Records":[...]} files in the real S3 layout', async () => {
    const paths = await walk(dir);
    expect(paths.length).toBe(trail.files.length);
    let total = 0;
    for (const path of paths) {
      const relative = path.slice(dir.length + 1).split('/');
      const [root, account, product, region, y, m, d, name = ''] = relative;
      const match = S3_NAME.exec(name);
      expect(match, name).not.toBeNull();
      expect([root, product]).toEqual(['AWSLogs', 'CloudTrail']);
      expect(match?.[1]).toBe(account);
      expect(match?.[2]).toBe(region);
      expect(`${y}${m}${d}`).toBe(match?.[3]?.slice(0, 8));
      const body = JSON.parse(gunzipSync(await readFile(path)).toString('utf8')) as { Records: Json[] };
      for (const record of body.Records) {
        expect(record.recipientAccountId).toBe(account);
        expect(record.awsRegion).toBe(region);
      }
      total += body.Records.length;
    }
    expect(total).toBe(trail.recordCount);
    expect(total).toBe(allLineageRecords().length);
    expect(total).toBeGreaterThan(300);
  });

  it('counts the records of each case', () => {
    const records = lineageRecords();
    expect(Object.fromEntries(Object.entries(records).map(([k, v]) => [k, v.length]))).toEqual({
      shopChain: 8,
      shopStack: 11,
      shopCallerCredentials: 2,
      borrowed: 4,
      platform: 15,
      overlap: 16,
      otherAccountPipeline: 4,
      noise: 336,
    });
  });

  it('names the IAM (us-east-1) files before the STS/CloudFormation files that created their sessions', () => {
    const byId = new Map(allLineageRecords().map((r) => [String(r.eventID), r]));
    const fileOf = new Map<string, number>();
    // Replay order: object-name time, then path (lib/ingest/order-files.ts).
    for (const file of trail.files) {
      const time = s3ObjectTime(file.path);
      expect(time).toBe(file.delivered);
    }
    const order = [...trail.files].sort(
      (a, b) => (s3ObjectTime(a.path) ?? 0) - (s3ObjectTime(b.path) ?? 0) || (a.path < b.path ? -1 : 1),
    );
    expect(order.map((f) => f.path)).toEqual(trail.files.map((f) => f.path));
    const windowOf = (id: string) => {
      const r = byId.get(id) as Json;
      const key = `${r.recipientAccountId}/${r.awsRegion}/${Math.floor(Date.parse(String(r.eventTime)) / 300_000)}`;
      if (!fileOf.has(key)) {
        const index = order.findIndex(
          (f) =>
            f.account === r.recipientAccountId &&
            f.region === r.awsRegion &&
            Math.floor(
              (f.delivered - 300_000 - (r.awsRegion === 'us-east-1' ? 60_000 : 240_000)) / 300_000,
            ) === Math.floor(Date.parse(String(r.eventTime)) / 300_000),
        );
        fileOf.set(key, index);
      }
      return fileOf.get(key) as number;
    };
    let checked = 0;
    for (const c of lineageCases()) {
      if (!['a-chain', 'a-cross-account', 'b-stack', 'e-overlap'].includes(c.id)) continue;
      for (const write of c.eventIds) {
        const writeFile = windowOf(write);
        expect(writeFile).toBeGreaterThanOrEqual(0);
        for (const link of [...c.hops.map((h) => h.eventId), ...c.stacks.flatMap((s) => s.eventIds)]) {
          expect(writeFile, `${c.id}: ${write} before ${link}`).toBeLessThan(windowOf(link));
          // Within the default engine.lateness (15m) of event time.
          const gap =
            Date.parse(String(byId.get(write)?.eventTime)) - Date.parse(String(byId.get(link)?.eventTime));
          expect(gap).toBeLessThan(5 * 60_000);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(basename(order[0]?.path ?? '')).toMatch(S3_NAME);
  });

  it('describes every case with event ids that exist', () => {
    const ids = new Set(allLineageRecords().map((r) => String(r.eventID)));
    expect(ids.size).toBe(trail.recordCount);
    expect(trail.cases.map((c) => `${c.id}:${c.expect}`)).toEqual([
      'a-chain:finding',
      'a-cross-account:finding',
      'b-stack:finding',
      'f-caller-credentials:finding',
      'c-borrowed:finding',
      'c-borrowed-denied:finding',
      'd-platform:quiet',
      'e-overlap:finding',
      'e-named-stack:quiet',
      'other-account-pipeline:quiet',
    ]);
    for (const c of trail.cases)
      for (const id of [
        ...c.eventIds,
        ...c.hops.map((h) => h.eventId),
        ...c.stacks.flatMap((s) => s.eventIds),
      ])
        expect(ids.has(id), `${c.id}: ${id}`).toBe(true);
  });

  it('is deterministic and uses real-looking identifiers', () => {
    const a = allLineageRecords();
    expect(allLineageRecords()).toEqual(a);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const r of a) {
      expect(String(r.eventID)).toMatch(uuid);
      expect(String(r.requestID)).toMatch(uuid);
      const key = (r.userIdentity as Json).accessKeyId;
      if (key !== undefined) expect(String(key)).toMatch(/^ASIA[A-Z0-9]{16}$/);
      const issued = ((r.responseElements as Json | null)?.credentials as Json | undefined)?.accessKeyId;
      if (issued !== undefined) expect(String(issued)).toMatch(/^ASIA[A-Z0-9]{16}$/);
    }
  });
});

describe('test/fixtures/lineage', () => {
  it('holds valid {"Records":[...]} JSON files', async () => {
    const names = (await readdir(FIXTURES)).filter((n) => n.endsWith('.json'));
    expect(names.length).toBeGreaterThanOrEqual(10);
    for (const name of names) {
      const parsed = JSON.parse(await readFile(new URL(name, FIXTURES), 'utf8')) as { Records?: unknown };
      expect(Array.isArray(parsed.Records), name).toBe(true);
    }
  });

  it('hand-written files have the shapes the builder writes', async () => {
    const shapeOf = (r: Json) =>
      [
        r.eventName,
        (r.userIdentity as Json).type,
        (r.userIdentity as Json).invokedBy ?? '',
        r.errorCode ?? '',
      ].join('|');
    const built = new Map<string, Set<string>[]>();
    for (const r of allLineageRecords()) {
      const paths = keyPaths(r);
      paths.delete('.sharedEventID');
      built.set(shapeOf(r), [...(built.get(shapeOf(r)) ?? []), paths]);
    }
    const names = (await readdir(FIXTURES)).filter((n) => n.startsWith('hand-') && n.endsWith('.json'));
    expect(names.length).toBe(5);
    for (const name of names) {
      const { Records } = JSON.parse(await readFile(new URL(name, FIXTURES), 'utf8')) as { Records: Json[] };
      for (const r of Records) {
        // Same key paths as some record the builder writes (values differ; sharedEventID is per record).
        const own = keyPaths(r);
        own.delete('.sharedEventID');
        const key = [...own].sort().join(',');
        const candidates = (built.get(shapeOf(r)) ?? []).map((paths) => [...paths].sort().join(','));
        expect(candidates, `${name}: ${shapeOf(r)}`).toContain(key);
      }
    }
  });
});
