import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../../lib/engine/finding.ts';
import type { Chain } from '../../../lib/events/chain.ts';
import {
  LINEAGE_ROLES,
  LINEAGE_SUBJECTS,
  type LineageTrail,
  writeLineageTrail,
} from '../../helpers/lineage-trail.ts';
import { runCli } from '../../helpers/run-cli.ts';

const jsonl = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/**
 * `detect` then `query session --finding`, as on-call would run them, on the realistic lineage trail
 * (test/helpers/lineage-trail.ts): the finding is about a chained role's IAM write; the query lists the run
 * from the CI job's OIDC session on.
 */
describe('trailguard query session --finding on a chained role', () => {
  let dir: string;
  let trail: LineageTrail;
  let findings: Finding[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tg-query-lineage-'));
    trail = await writeLineageTrail(dir);
    const detect = await runCli(['detect', '--format', 'jsonl', '-c', trail.configPath, dir]);
    expect(detect.code).toBe(0);
    findings = jsonl(detect.stdout) as unknown as Finding[];
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('starts from the origin OIDC session: its AssumeRole, then the chained session and its IAM write', async () => {
    const finding = findings.find(
      (f) =>
        f.detector === 'pipeline-iam-write' &&
        f.principal === LINEAGE_ROLES.cdkDeploy &&
        f.details?.action === 'iam:CreateUser',
    );
    expect(finding).toBeDefined();
    const [chain] = (finding?.details?.lineage ?? []) as Chain[];
    const origin = String(chain?.hops[0]?.accessKeyId);
    const deployer = String(finding?.details?.accessKeyId);
    expect(chain?.hops.map((hop) => hop.accessKeyId)).toEqual([origin, deployer]);

    const { code, stdout, stderr } = await runCli([
      'query',
      'session',
      '--finding',
      String(finding?.id),
      '-c',
      trail.configPath,
      '-f',
      'jsonl',
      dir,
    ]);
    expect(code).toBe(0);
    expect(stderr).toContain(
      `finding ${finding?.id} (pipeline-iam-write): tracing ${origin} from the origin: OIDC ${LINEAGE_SUBJECTS.shop} → gha-shop-prod → `,
    );
    const rows = jsonl(stdout);
    expect(rows[0]).toMatchObject({
      depth: 0,
      session: origin,
      eventName: 'AssumeRoleWithWebIdentity',
      issuedAccessKeyId: origin,
      subject: LINEAGE_SUBJECTS.shop,
      repository: 'acme/shop',
    });
    expect(rows.find((r) => r.eventID === chain?.hops[1]?.eventId)).toMatchObject({
      depth: 0,
      session: origin,
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
      accessKeyId: origin,
      issuedAccessKeyId: deployer,
    });
    expect(rows.find((r) => r.eventID === finding?.eventIds[0])).toMatchObject({
      depth: 1,
      session: deployer,
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateUser',
      accessKeyId: deployer,
      role: LINEAGE_ROLES.cdkDeploy,
      subject: LINEAGE_SUBJECTS.shop,
    });
    // Time order, the assumption before the write it enabled.
    const times = rows.map((r) => String(r.eventTime));
    expect(times).toEqual([...times].sort());
  });

  it('a stack service role finding: the table lists the CloudFormation session under the run, with a note', async () => {
    const finding = findings.find(
      (f) =>
        f.detector === 'pipeline-iam-write' &&
        f.details?.action === 'iam:AttachRolePolicy' &&
        f.principal === LINEAGE_ROLES.cfnExec &&
        ((f.details?.lineage ?? []) as Chain[]).length === 1,
    );
    expect(finding).toBeDefined();
    const exec = String(finding?.details?.accessKeyId);
    const { code, stdout, stderr } = await runCli([
      'query',
      'session',
      '--finding',
      String(finding?.id),
      '-c',
      trail.configPath,
      dir,
    ]);
    expect(code).toBe(0);
    expect(stderr).toContain(`trailguard: note: ${exec} is a CloudFormation service-role session`);
    const sessionLine = stdout.split('\n').find((line) => line.startsWith(exec));
    expect(sessionLine).toMatch(
      new RegExp(`^${exec}\\s+2\\s+arn:aws:iam::222222222222:role/cdk-hnb659fds-cfn-exec-role`),
    );
    expect(stdout).toMatch(
      new RegExp(`\\n2\\s+${exec}\\s+\\S+\\s+iam\\.amazonaws\\.com\\s+AttachRolePolicy`),
    );
  });
});
