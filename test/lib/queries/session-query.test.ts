import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalSource } from '../../../lib/queries/local-source.ts';
import type { Row } from '../../../lib/queries/query-types.ts';
import { sessionQuery } from '../../../lib/queries/session-query.ts';
import { testConfig } from '../../helpers/config.ts';
import { syntheticTrail } from '../../helpers/synthetic-trail.ts';
import type { CloudTrailRecord } from '../../helpers/trail-records.ts';
import { writeS3Trail } from '../../helpers/write-s3-trail.ts';
import { CHAINED_TRAIL, CHILD, DELIVERY_ORDER, GRAND, OTHER, ROOT, SUBJECT } from './chained-trail.ts';
import { memorySource } from './memory-source.ts';

const context = { config: testConfig() };
const pick = (rows: readonly Row[], ...keys: string[]) => rows.map((r) => keys.map((k) => r[k]));

describe('query session on a synthetic trail', () => {
  const KEY = 'ASIASHOPPROD00000145';
  let records: CloudTrailRecord[];
  let dir: string;
  beforeAll(async () => {
    records = [...syntheticTrail({ seed: 7, attacks: true })];
    dir = await mkdtemp(join(tmpdir(), 'tg-session-'));
    await writeS3Trail(records, dir);
  });

  it('returns exactly the events of an OIDC session that assumed a prod role, the assumption first, with the subject', async () => {
    const source = new LocalSource({ paths: [dir] });
    const { rows, notes } = await sessionQuery.run({ accessKeyIds: [KEY] }, context, source);

    // Independent of the query: the records that name the key, by time.
    const expected = records
      .filter((r) => {
        const identity = r.userIdentity as Record<string, unknown>;
        const response = r.responseElements as { credentials?: { accessKeyId?: string } } | null;
        return identity.accessKeyId === KEY || response?.credentials?.accessKeyId === KEY;
      })
      .sort((a, b) => String(a.eventTime).localeCompare(String(b.eventTime)));
    // The deploy (assumption, 5 runner calls, 2 CloudFormation calls) and the stolen key's 60 denials and StopLogging.
    expect(expected).toHaveLength(69);
    expect(rows.map((r) => r.eventID)).toEqual(expected.map((r) => r.eventID));

    expect(rows[0]).toMatchObject({
      depth: 0,
      session: KEY,
      eventName: 'AssumeRoleWithWebIdentity',
      accessKeyId: null,
      issuedAccessKeyId: KEY,
      role: 'arn:aws:iam::111122223333:role/deploy-shop-prod',
    });
    for (const row of rows) {
      expect(row).toMatchObject({
        subject: 'repo:acme/shop:ref:refs/heads/main',
        repository: 'acme/shop',
        branch: 'main',
        environment: null,
        depth: 0,
        session: KEY,
      });
    }
    expect(rows.filter((r) => r.sourceIp === '203.0.113.50')).toHaveLength(61);
    expect(rows.filter((r) => r.errorCode === 'AccessDenied')).toHaveLength(61);
    expect(rows.at(-1)).toMatchObject({ eventName: 'StopLogging', eventSource: 'cloudtrail.amazonaws.com' });
    expect(notes).toEqual([]);
    expect(source.stats.passes).toBe(1);
  });

  it('finds nothing for a key nobody used', async () => {
    const source = new LocalSource({ paths: [dir] });
    const { rows } = await sessionQuery.run({ accessKeyIds: ['ASIANOBODY0000000000'] }, context, source);
    expect(rows).toEqual([]);
  });
});

describe('query session following chained assumptions', () => {
  const expected = [
    [0, ROOT, 'AssumeRoleWithWebIdentity', null, ROOT, 'arn:aws:iam::111122223333:role/deploy-prod'],
    [0, ROOT, 'ListBuckets', ROOT, null, 'arn:aws:iam::111122223333:role/deploy-prod'],
    [0, ROOT, 'AssumeRole', ROOT, CHILD, 'arn:aws:iam::111122223333:role/deploy-prod'],
    [1, CHILD, 'GetObject', CHILD, null, 'arn:aws:iam::111122223333:role/data-reader'],
    [1, CHILD, 'GetSecretValue', CHILD, null, 'arn:aws:iam::111122223333:role/data-reader'],
    [1, CHILD, 'AssumeRole', CHILD, GRAND, 'arn:aws:iam::111122223333:role/data-reader'],
    [2, GRAND, 'StopLogging', GRAND, null, 'arn:aws:iam::111122223333:role/break-glass'],
    [0, ROOT, 'GetCallerIdentity', ROOT, null, 'arn:aws:iam::111122223333:role/deploy-prod'],
  ];
  const columns = ['depth', 'session', 'eventName', 'accessKeyId', 'issuedAccessKeyId', 'role'];

  it('includes each child session at depth + 1, every row carrying the OIDC subject and its claims', async () => {
    const { rows, notes } = await sessionQuery.run(
      { accessKeyIds: [ROOT] },
      context,
      memorySource(CHAINED_TRAIL),
    );
    expect(pick(rows, ...columns)).toEqual(expected);
    for (const row of rows) {
      expect(row).toMatchObject({
        subject: SUBJECT,
        repository: 'acme/shop',
        environment: 'production',
        branch: null,
        workflow: 'acme/shop/.github/workflows/deploy.yml@refs/heads/main',
      });
    }
    expect(rows.find((r) => r.eventName === 'GetSecretValue')?.errorCode).toBe('AccessDenied');
    expect(notes).toEqual([]);
  });

  it('reads a re-readable source again when a child key was found, so events delivered before their assumption count', async () => {
    const source = memorySource(DELIVERY_ORDER);
    const { rows, notes } = await sessionQuery.run({ accessKeyIds: [ROOT] }, context, source);
    expect(pick(rows, ...columns)).toEqual(expected);
    expect(notes).toEqual([]);
    // Pass 1 finds CHILD (late for its GetObject) and GRAND; pass 2 reads with all three and finds nothing new.
    expect(source.passes).toBe(2);
  });

  it('says what may be missing when stdin cannot be read twice', async () => {
    const source = memorySource(DELIVERY_ORDER, false);
    const { rows, notes } = await sessionQuery.run({ accessKeyIds: [ROOT] }, context, source);
    expect(rows.map((r) => r.eventName)).not.toContain('GetObject');
    expect(rows).toHaveLength(expected.length - 1);
    expect(notes).toEqual([expect.stringMatching(/stdin, which cannot be read twice/)]);
  });

  it('starts from a child key: its creating assumption first (no subject known), then its own chain', async () => {
    const { rows } = await sessionQuery.run({ accessKeyIds: [CHILD] }, context, memorySource(CHAINED_TRAIL));
    expect(pick(rows, 'depth', 'session', 'eventName', 'accessKeyId', 'issuedAccessKeyId')).toEqual([
      [0, CHILD, 'AssumeRole', ROOT, CHILD],
      [0, CHILD, 'GetObject', CHILD, null],
      [0, CHILD, 'GetSecretValue', CHILD, null],
      [0, CHILD, 'AssumeRole', CHILD, GRAND],
      [1, GRAND, 'StopLogging', GRAND, null],
    ]);
    expect(rows.every((r) => r.subject === null)).toBe(true);
  });

  it('selects every session a session ARN names', async () => {
    const { rows } = await sessionQuery.run(
      { accessKeyIds: [], sessionArn: 'arn:aws:sts::111122223333:assumed-role/deploy-prod/GitHubActions' },
      context,
      memorySource(CHAINED_TRAIL),
    );
    const sessions = new Set(rows.map((r) => r.session));
    expect(sessions).toEqual(new Set([ROOT, OTHER, CHILD, GRAND]));
    const other = rows.filter((r) => r.session === OTHER);
    expect(pick(other, 'eventName', 'subject')).toEqual([
      ['AssumeRoleWithWebIdentity', 'repo:acme/shop:ref:refs/heads/main'],
      ['ListBuckets', 'repo:acme/shop:ref:refs/heads/main'],
    ]);
  });
});
