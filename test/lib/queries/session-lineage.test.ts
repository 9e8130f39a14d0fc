import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectors } from '../../../detectors/index.ts';
import { loadConfig } from '../../../lib/config/load-config.ts';
import type { ResolvedConfig } from '../../../lib/config/resolved-config.ts';
import { DetectionEngine } from '../../../lib/engine/detection-engine.ts';
import type { Finding } from '../../../lib/engine/finding.ts';
import { replay } from '../../../lib/engine/replay.ts';
import { readCloudTrail } from '../../../lib/ingest/read-cloudtrail.ts';
import { assumptionOf, issuedCredentialsOf } from '../../../lib/lineage/assumption.ts';
import { findingKeys } from '../../../lib/queries/finding-keys.ts';
import { LocalSource } from '../../../lib/queries/local-source.ts';
import type { Row } from '../../../lib/queries/query-types.ts';
import { chainsOfDetails, sessionsOfFinding } from '../../../lib/queries/session-finding.ts';
import { sessionQuery } from '../../../lib/queries/session-query.ts';
import { MemoryState } from '../../../lib/state/memory-state.ts';
import { testConfig } from '../../helpers/config.ts';
import { HOSTILE_TEXT, RAW_TERMINAL_CONTROL } from '../../helpers/hostile-text.ts';
import {
  LINEAGE_ROLES,
  LINEAGE_SUBJECTS,
  type LineageTrail,
  writeLineageTrail,
} from '../../helpers/lineage-trail.ts';
import { corpusRecords, normalized } from '../../helpers/records.ts';
import { type CloudTrailRecord, roleIdentity } from '../../helpers/trail-records.ts';
import {
  ADMIN_POLICY,
  assumeRole,
  at,
  call,
  DEPLOY_ROLE,
  INVENTORY,
  oidcSession,
  PROD,
} from '../lineage/chain-records.ts';
import { memorySource } from './memory-source.ts';

const NOW = Date.parse('2026-11-26T00:00:00Z');
const IAM = 'iam.amazonaws.com';
const pick = (rows: readonly Row[], ...keys: string[]) => rows.map((r) => keys.map((k) => r[k]));

/** Every finding the registered detectors raise over `records`, as `detect` would (memory state). */
async function detect(records: readonly CloudTrailRecord[], config: ResolvedConfig): Promise<Finding[]> {
  const engine = new DetectionEngine({ detectors, config, state: new MemoryState(), now: NOW });
  const events = records.map(normalized).sort((a, b) => a.time - b.time);
  return engine.process(events);
}

describe('what an STS call issued: one reader, for detection and for query session', () => {
  it('reads a chained AssumeRole as lineage does: the key, the session ARN, the role', () => {
    const [, runner] = oidcSession(
      at(0, PROD, 'eu-west-1'),
      'gha-shop-prod',
      LINEAGE_SUBJECTS.shop,
      'ASIARUNNER0000000001',
    );
    const [record] = assumeRole(
      at(1, PROD, 'eu-west-1'),
      roleIdentity(runner),
      PROD,
      DEPLOY_ROLE,
      'ASIADEPLOY0000000001',
    );
    const event = normalized(record);
    const issued = issuedCredentialsOf(event);
    expect(issued).toMatchObject({
      issuedKey: 'ASIADEPLOY0000000001',
      sessionArn: `arn:aws:sts::${PROD}:assumed-role/${DEPLOY_ROLE}/aws-cdk-runner`,
      role: { canonicalArn: `arn:aws:iam::${PROD}:role/${DEPLOY_ROLE}` },
    });
    expect(assumptionOf(event)).toMatchObject({ issuedKey: issued?.issuedKey, role: issued?.role });
  });

  it('reads an OIDC assumption', () => {
    const [record] = oidcSession(
      at(0, PROD, 'eu-west-1'),
      'gha-shop-prod',
      LINEAGE_SUBJECTS.shop,
      'ASIARUNNER0000000002',
    );
    expect(issuedCredentialsOf(normalized(record))).toMatchObject({
      issuedKey: 'ASIARUNNER0000000002',
      role: { canonicalArn: LINEAGE_ROLES.shopProd },
    });
  });

  it('reads the key GetFederationToken issues (no role entered), which is not an assumption', () => {
    // Stratus Red Team detonation: an IAM user's key mints a federated session, which then calls STS.
    const [mint] = corpusRecords('long-lived-key/stratus-getfederationtoken-then-federateduser.json');
    const event = normalized(mint as CloudTrailRecord);
    expect(issuedCredentialsOf(event)).toEqual({
      issuedKey: 'ASIASTJKC5GCM7ZE6LUP',
      sessionArn: undefined,
      role: undefined,
    });
    expect(assumptionOf(event)).toBeUndefined();
  });

  it('reads nothing from a denied assumption', () => {
    const [, runner] = oidcSession(
      at(0, PROD, 'eu-west-1'),
      'gha-shop-prod',
      LINEAGE_SUBJECTS.shop,
      'ASIARUNNER0000000003',
    );
    const [record] = assumeRole(
      at(1, PROD, 'eu-west-1'),
      roleIdentity(runner),
      PROD,
      DEPLOY_ROLE,
      'ASIADEPLOY0000000003',
    );
    Object.assign(record, {
      errorCode: 'AccessDenied',
      errorMessage: 'not authorized',
      responseElements: null,
    });
    expect(issuedCredentialsOf(normalized(record))).toBeUndefined();
  });

  it('query session still follows a federated session from the IAM user key that minted it', async () => {
    const records = corpusRecords('long-lived-key/stratus-getfederationtoken-then-federateduser.json');
    const user = 'AKIA6V1GNZTT65XQH36M';
    const { rows } = await sessionQuery.run(
      { accessKeyIds: [user] },
      { config: testConfig() },
      memorySource(records as CloudTrailRecord[]),
    );
    expect(pick(rows, 'depth', 'session', 'eventName', 'issuedAccessKeyId')).toEqual([
      [0, user, 'GetFederationToken', 'ASIASTJKC5GCM7ZE6LUP'],
      [1, 'ASIASTJKC5GCM7ZE6LUP', 'GetCallerIdentity', null],
    ]);
  });
});

describe('query session --finding starts from the origin (lineage trail)', () => {
  let dir: string;
  let trail: LineageTrail;
  let config: ResolvedConfig;
  let findings: Finding[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tg-session-lineage-'));
    trail = await writeLineageTrail(dir);
    config = await loadConfig(trail.configPath);
    // Replayed in delivery order, as detect reads the files: IAM writes before the assumptions behind them.
    const engine = new DetectionEngine({ detectors, config, state: new MemoryState(), now: NOW });
    findings = [];
    await replay(readCloudTrail([dir]), engine, {
      onFindings: (found) => {
        findings.push(...found);
      },
    });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const caseOf = (id: string) => {
    const found = trail.cases.find((c) => c.id === id);
    if (found === undefined) throw new Error(`no case ${id}`);
    return found;
  };
  const findingFor = (eventId: string) => {
    const found = findings.find((f) => f.eventIds.includes(eventId));
    if (found === undefined) throw new Error(`no finding for ${eventId}`);
    return found;
  };
  const trace = async (finding: Finding) => {
    const found = await findingKeys(
      finding.id,
      { paths: [dir], config, now: NOW },
      new LocalSource({ paths: [dir] }),
    );
    const sessions = sessionsOfFinding(found);
    const result = await sessionQuery.run(
      { accessKeyIds: [], starts: sessions.starts },
      { config },
      new LocalSource({ paths: [dir] }),
    );
    return { ...sessions, ...result };
  };

  it('a chained deploy role writing IAM: the OIDC session, its AssumeRole, the chained session and its writes', async () => {
    const chain = caseOf('a-chain');
    const finding = findingFor(chain.eventIds[0] as string);
    expect(finding.principal).toBe(LINEAGE_ROLES.cdkDeploy);
    const [lineage] = chainsOfDetails(finding.details);
    const origin = lineage?.hops[0]?.accessKeyId as string;
    const deployer = chain.hops[0]?.accessKeyId as string;

    const { starts, report, rows, notes } = await trace(finding);
    expect(starts).toEqual([
      { key: origin, depth: 0, parent: undefined },
      { key: deployer, depth: 1, parent: origin },
    ]);
    expect(report).toEqual([
      `trailguard: finding ${finding.id} (pipeline-iam-write): tracing ${origin} from the origin: OIDC ${LINEAGE_SUBJECTS.shop} → gha-shop-prod → ${DEPLOY_ROLE}`,
    ]);
    expect(notes).toEqual([]);

    expect(rows[0]).toMatchObject({
      depth: 0,
      session: origin,
      eventName: 'AssumeRoleWithWebIdentity',
      issuedAccessKeyId: origin,
      role: LINEAGE_ROLES.shopProd,
    });
    const assumption = rows.find((r) => r.eventID === lineage?.hops[1]?.eventId);
    expect(assumption).toMatchObject({
      depth: 0,
      session: origin,
      eventName: 'AssumeRole',
      accessKeyId: origin,
      issuedAccessKeyId: deployer,
    });
    for (const eventId of chain.eventIds) {
      expect(rows.find((r) => r.eventID === eventId)).toMatchObject({
        depth: 1,
        session: deployer,
        accessKeyId: deployer,
        role: LINEAGE_ROLES.cdkDeploy,
      });
    }
    // The whole run: the same OIDC session went on into another account, two hops out.
    const crossAccount = caseOf('a-cross-account');
    expect(rows.find((r) => r.eventID === crossAccount.eventIds[0])).toMatchObject({
      depth: 2,
      role: LINEAGE_ROLES.sharedDeployer,
    });
    expect(new Set(rows.map((r) => r.subject))).toEqual(new Set([LINEAGE_SUBJECTS.shop]));
  });

  it('a stack service role writing IAM: the CloudFormation session joins at its depth, with a note', async () => {
    const stack = caseOf('b-stack');
    const finding = findingFor(stack.eventIds[0] as string);
    const exec = stack.hops.at(-1)?.accessKeyId as string;
    const { starts, report, rows } = await trace(finding);
    const [lineage] = chainsOfDetails(finding.details);
    expect(starts.map((s) => [s.key, s.depth])).toEqual([
      [lineage?.hops[0]?.accessKeyId, 0],
      [stack.hops[0]?.accessKeyId, 1],
      [exec, 2],
    ]);
    expect(report[1]).toMatch(
      new RegExp(`^trailguard: note: ${exec} is a CloudFormation service-role session`),
    );
    const execRows = rows.filter((r) => r.session === exec);
    expect(execRows[0]).toMatchObject({
      depth: 2,
      eventName: 'AssumeRole',
      accessKeyId: null,
      issuedAccessKeyId: exec,
    });
    for (const eventId of stack.eventIds) {
      expect(execRows.find((r) => r.eventID === eventId)).toMatchObject({
        depth: 2,
        eventSource: IAM,
        role: LINEAGE_ROLES.cfnExec,
        subject: LINEAGE_SUBJECTS.shop,
      });
    }
    expect(rows.find((r) => r.eventName === 'ExecuteChangeSet')).toMatchObject({
      depth: 1,
      session: stack.hops[0]?.accessKeyId,
    });
  });

  it('overlapping stack operations: starts from each origin; the shared service-role session gets no subject', async () => {
    const overlap = caseOf('e-overlap');
    const finding = findingFor(overlap.eventIds[0] as string);
    const { starts, report, rows } = await trace(finding);
    expect(report.filter((line) => line.includes('from the origin'))).toEqual([
      expect.stringContaining(`from the origin: OIDC ${LINEAGE_SUBJECTS.shop} → gha-shop-prod`),
      expect.stringContaining(`from the origin: OIDC ${LINEAGE_SUBJECTS.platform} → gha-platform`),
    ]);
    const exec = overlap.hops.at(-1)?.accessKeyId as string;
    expect(starts.find((s) => s.key === exec)).toEqual({ key: exec, depth: 2, parent: undefined });
    const origins = rows.filter((r) => r.eventName === 'AssumeRoleWithWebIdentity');
    expect(pick(origins, 'depth', 'subject')).toEqual([
      [0, LINEAGE_SUBJECTS.shop],
      [0, LINEAGE_SUBJECTS.platform],
    ]);
    const execRows = rows.filter((r) => r.session === exec);
    expect(execRows.map((r) => r.eventID)).toContain(overlap.eventIds[0]);
    expect(execRows.every((r) => r.subject === null && r.depth === 2)).toBe(true);
  });

  it('a finding without lineage traces the keys it names, as before', async () => {
    const borrowed = caseOf('c-borrowed');
    const finding = findingFor(borrowed.eventIds[0] as string);
    expect(finding.details?.lineage).toBeUndefined();
    const key = borrowed.hops[0]?.accessKeyId as string;
    const { starts, report } = await trace(finding);
    expect(starts).toEqual([{ key, depth: 0 }]);
    expect(report).toEqual([`trailguard: finding ${finding.id} (pipeline-role-borrowed): tracing ${key}`]);
  });
});

describe('query session --finding from an origin with a key of its own', () => {
  it('a human session borrowing a pipeline role, then chaining: starts at the human session', async () => {
    const human = {
      account: PROD,
      role: 'AWSReservedSSO_AdministratorAccess_0123456789abcdef',
      sessionName: 'jane.doe@acme.example',
      accessKeyId: 'ASIAJANEDOE000000001',
    };
    const browse = call(
      at(0, PROD, 'eu-west-1'),
      human,
      'cloudformation.amazonaws.com',
      'DescribeStacks',
      {},
      { readOnly: true },
    );
    const [borrow, pipeline] = assumeRole(
      at(1, PROD, 'eu-west-1'),
      roleIdentity(human),
      PROD,
      'gha-shop-prod',
      'ASIABORROWED00000001',
      'jane',
    );
    const [chain, deployer] = assumeRole(
      at(2, PROD, 'eu-west-1'),
      roleIdentity(pipeline),
      PROD,
      DEPLOY_ROLE,
      'ASIABORROWDEPLOY0001',
    );
    const write = call(at(3), deployer, IAM, 'AttachUserPolicy', {
      userName: 'jane',
      policyArn: ADMIN_POLICY,
    });
    const records = [browse, borrow, chain, write];

    const findings = await detect(records, testConfig(INVENTORY));
    const finding = findings.find((f) => f.detector === 'pipeline-iam-write');
    expect(finding?.details?.lineage).toMatchObject([
      { origin: { kind: 'role', accessKeyId: human.accessKeyId } },
    ]);
    const sessions = sessionsOfFinding({ finding: finding as Finding, accessKeyIds: [deployer.accessKeyId] });
    expect(sessions.starts).toEqual([
      { key: human.accessKeyId, depth: 0, parent: undefined },
      { key: pipeline.accessKeyId, depth: 1, parent: human.accessKeyId },
      { key: deployer.accessKeyId, depth: 2, parent: pipeline.accessKeyId },
    ]);
    const { rows } = await sessionQuery.run(
      { accessKeyIds: [], starts: sessions.starts },
      { config: testConfig(INVENTORY) },
      memorySource(records),
    );
    expect(pick(rows, 'depth', 'session', 'eventName', 'issuedAccessKeyId')).toEqual([
      [0, human.accessKeyId, 'DescribeStacks', null],
      [0, human.accessKeyId, 'AssumeRole', pipeline.accessKeyId],
      [1, pipeline.accessKeyId, 'AssumeRole', deployer.accessKeyId],
      [2, deployer.accessKeyId, 'AttachUserPolicy', null],
    ]);
  });
});

describe('sessionsOfFinding reads details as untrusted JSON', () => {
  const base: Finding = {
    id: 'tg-00000000000000000001',
    detector: 'pipeline-iam-write',
    severity: 'critical',
    title: 't',
    summary: 's',
    time: '2026-11-20T10:00:00Z',
    principal: LINEAGE_ROLES.cdkDeploy,
    eventIds: ['e1'],
    runbook: 'r',
  };
  const hop = (role: string, accessKeyId: unknown, extra: Record<string, unknown> = {}) => ({
    via: 'assume-role',
    role,
    account: PROD,
    accessKeyId,
    eventId: 'e0',
    time: 0,
    ...extra,
  });

  it('escapes attacker-controlled subjects, session names and stack names in what it prints', () => {
    for (const text of HOSTILE_TEXT) {
      const finding: Finding = {
        ...base,
        details: {
          lineage: [
            {
              origin: { kind: 'web-identity', principal: 'p', subject: text },
              hops: [
                hop(LINEAGE_ROLES.shopProd, 'ASIAORIGIN0000000001', {
                  via: 'web-identity',
                  sessionName: text,
                }),
                hop(LINEAGE_ROLES.cfnExec, 'ASIAEXEC000000000001', { via: 'cloudformation', stack: text }),
              ],
            },
          ],
        },
      };
      const { report, starts } = sessionsOfFinding({ finding, accessKeyIds: [] });
      expect(starts.map((s) => s.key)).toEqual(['ASIAORIGIN0000000001', 'ASIAEXEC000000000001']);
      for (const line of report) {
        expect(line).not.toMatch(RAW_TERMINAL_CONTROL);
        expect(line).not.toMatch(/[\r\n]/);
      }
    }
  });

  it('follows no key that is not an access key id, and leaves out a chain that does not read', () => {
    const finding: Finding = {
      ...base,
      details: {
        accessKeyId: 'ASIAFALLBACK00000001',
        lineage: [
          // A hop past the details' bound, replaced with a note: the chain is left out, not followed with a gap.
          {
            origin: { kind: 'web-identity', principal: 'p' },
            hops: [hop(LINEAGE_ROLES.shopProd, 'ASIAA00000000000001'), '… 3 more items'],
          },
          {
            origin: { kind: 'role', principal: 'p', accessKeyId: 'ASIA"] or 1' },
            hops: [hop(LINEAGE_ROLES.shopProd, { $gt: '' })],
          },
          'not a chain',
        ],
      },
    };
    expect(sessionsOfFinding({ finding, accessKeyIds: ['ASIAFALLBACK00000001'] })).toEqual({
      starts: [{ key: 'ASIAFALLBACK00000001', depth: 0 }],
      report: [`trailguard: finding ${base.id} (pipeline-iam-write): tracing ASIAFALLBACK00000001`],
    });
  });
});
