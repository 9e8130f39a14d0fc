import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pipelineRoleBorrowed } from '../../detectors/pipeline-role-borrowed.ts';
import type { NormalizedEvent } from '../../lib/events/normalized-event.ts';
import { evaluate, testConfig } from '../helpers/config.ts';
import { corpusRecords, normalized } from '../helpers/records.ts';
import { runDetector } from '../helpers/stateful-run.ts';

type JsonRecord = Record<string, unknown>;

/** Records of a lineage fixture (test/fixtures/lineage, sources in its README). */
function lineageRecords(file: string): JsonRecord[] {
  const url = new URL(`../fixtures/lineage/${file}`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { Records: JsonRecord[] }).Records;
}

const PROD = '222222222222';
const SHOP = {
  name: 'shop-prod',
  role: `arn:aws:iam::${PROD}:role/gha-shop-prod`,
  kind: 'service',
  environment: 'prod',
  oidc: { provider: 'github', subjects: ['repo:acme/shop:ref:refs/heads/main'] },
};
const PLATFORM = {
  name: 'platform',
  role: `arn:aws:iam::${PROD}:role/gha-platform`,
  kind: 'platform',
  environment: 'prod',
  oidc: { provider: 'github', subjects: ['repo:acme/platform:ref:refs/heads/main'] },
};
const [SSO_ASSUMES_SHOP, SSO_DENIED_PLATFORM] = lineageRecords(
  'hand-sso-session-assumerole-allowed-and-denied.json',
).map(normalized);
const STRATUS = 'access-denied/stratus-sts-assumerole-denied-then-allowed-iamuser.json';
const STRATUS_ROLE = 'arn:aws:iam::457448411975:role/stratus-red-team-ec2-get-password-data-role';
const CROSS_ACCOUNT = 'benign/awsdocs-cross-account-assumerole-caller-and-role-account.json';

describe('pipeline-role-borrowed: fires', () => {
  it("is critical when a human's SSO session assumed a production pipeline role", () => {
    const finding = evaluate(
      pipelineRoleBorrowed,
      SSO_ASSUMES_SHOP as NormalizedEvent,
      testConfig({ pipelines: [SHOP, PLATFORM] }),
    );
    expect(finding).toMatchObject({
      severity: 'critical',
      principal: SHOP.role,
      pipeline: 'shop-prod',
      environment: 'prod',
      details: { callerType: 'AssumedRole', outcome: 'success' },
    });
    expect(finding?.summary).toContain('AWSReservedSSO_AdministratorAccess_0123456789abcdef');
    expect(finding?.summary).toContain('allows only through its OIDC token');
  });

  it('is medium for a denied try, reading the role from the error message (denied records drop the request)', () => {
    const finding = evaluate(
      pipelineRoleBorrowed,
      SSO_DENIED_PLATFORM as NormalizedEvent,
      testConfig({ pipelines: [SHOP, PLATFORM] }),
    );
    expect(finding).toMatchObject({ severity: 'medium', principal: PLATFORM.role, pipeline: 'platform' });
    expect(finding?.summary).toContain('tried to assume');
  });

  it("fires for an IAM user's real AssumeRole into an inventory role that names its own assumers, allowed or denied", async () => {
    const pipeline = {
      name: 'stratus',
      role: STRATUS_ROLE,
      kind: 'service',
      assumableBy: ['arn:aws:iam::457448411975:role/ci-*'],
    };
    const findings = await runDetector(
      pipelineRoleBorrowed,
      corpusRecords(STRATUS).map(normalized),
      testConfig({ pipelines: [pipeline] }),
    );
    expect(findings.map((f) => f.severity).sort()).toEqual(['high', 'high', 'medium', 'medium']);
    expect(findings.every((f) => f.summary.startsWith('arn:aws:iam::457448411975:user/christophe'))).toBe(
      true,
    );
  });

  it('raises one finding for both copies of a cross-account assumption (same sharedEventID)', async () => {
    const pipeline = {
      name: 'ec2-dev',
      role: 'arn:aws:iam::111122223333:role/EC2-dev',
      kind: 'service',
      environment: 'prod',
      assumableBy: [],
    };
    const findings = await runDetector(
      pipelineRoleBorrowed,
      corpusRecords(CROSS_ACCOUNT).map((record, i) => normalized({ ...record, eventID: `copy-${i}` })),
      testConfig({ pipelines: [pipeline] }),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'critical', pipeline: 'ec2-dev' });
  });
});

describe('pipeline-role-borrowed: stays quiet', () => {
  it('for principals assumableBy lists, matched path-less', () => {
    const config = testConfig({
      pipelines: [
        { ...SHOP, assumableBy: [`arn:aws:iam::${PROD}:role/AWSReservedSSO_AdministratorAccess_*`] },
      ],
    });
    expect(evaluate(pipelineRoleBorrowed, SSO_ASSUMES_SHOP as NormalizedEvent, config)).toBeUndefined();
  });

  it("for the role owner's copy of a cross-account assumption when assumableBy allows a principal of the caller's account", () => {
    const pipeline = {
      name: 'ec2-dev',
      role: 'arn:aws:iam::111122223333:role/EC2-dev',
      kind: 'service',
      assumableBy: ['arn:aws:iam::777788889999:user/JohnDoe'],
    };
    const [callerCopy, ownerCopy] = corpusRecords(CROSS_ACCOUNT).map(normalized);
    const config = testConfig({ pipelines: [pipeline] });
    expect(evaluate(pipelineRoleBorrowed, callerCopy as NormalizedEvent, config)).toBeUndefined();
    expect(evaluate(pipelineRoleBorrowed, ownerCopy as NormalizedEvent, config)).toBeUndefined();
  });

  it('for AWS services assuming a pipeline role on their own behalf', () => {
    const [service] = corpusRecords('benign/elastic-assumerole-by-awsservice-ec2.json').map(normalized);
    const pipeline = {
      name: 'fleet',
      role: 'arn:aws:iam::111111111111:role/ec2-instance-role',
      kind: 'service',
      assumableBy: [],
    };
    expect(
      evaluate(pipelineRoleBorrowed, service as NormalizedEvent, testConfig({ pipelines: [pipeline] })),
    ).toBeUndefined();
  });

  it('for roles outside the inventory, and inventory roles that say nothing about how they are entered', () => {
    expect(
      evaluate(
        pipelineRoleBorrowed,
        SSO_ASSUMES_SHOP as NormalizedEvent,
        testConfig({ pipelines: [PLATFORM] }),
      ),
    ).toBeUndefined();
    const noOidc = { name: 'shop-prod', role: SHOP.role, kind: 'service' };
    expect(
      evaluate(
        pipelineRoleBorrowed,
        SSO_ASSUMES_SHOP as NormalizedEvent,
        testConfig({ pipelines: [noOidc] }),
      ),
    ).toBeUndefined();
  });

  it("for the pipeline's own OIDC assumption (judged by oidc-unexpected-subject)", () => {
    const [web] = corpusRecords('oidc/assume-role-with-web-identity-github-success-cloud-snitch.json').map(
      normalized,
    );
    const pipeline = {
      name: 'cs',
      role: 'arn:aws:iam::774305579662:role/*',
      kind: 'service',
      oidc: { provider: 'github', subjects: [] },
    };
    expect(
      evaluate(pipelineRoleBorrowed, web as NormalizedEvent, testConfig({ pipelines: [pipeline] })),
    ).toBeUndefined();
  });
});
