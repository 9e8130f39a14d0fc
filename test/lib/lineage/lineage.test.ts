import { describe, expect, it } from 'vitest';
import { pipelineIamWrite } from '../../../detectors/pipeline-iam-write.ts';
import { pipelineRoleBorrowed } from '../../../detectors/pipeline-role-borrowed.ts';
import type { Finding } from '../../../lib/engine/finding.ts';
import type { CloudTrailRecord } from '../../helpers/trail-records.ts';
import { roleIdentity } from '../../helpers/trail-records.ts';
import {
  ADMIN_POLICY,
  assumeRole,
  at,
  call,
  cloudFormationAssumes,
  DEPLOY_ROLE,
  EXEC_ROLE,
  foreignTrust,
  INVENTORY,
  judgeBatches,
  OTHER,
  oidcSession,
  PROD,
  roleOwnerCopy,
} from './chain-records.ts';

const _NOW = Date.parse('2026-11-26T00:00:00Z');
const IAM = 'iam.amazonaws.com';
const CFN = 'cloudformation.amazonaws.com';

/** Judges `batches` in the order given (each batch as delivered), through the real engine and memory state. */
function judge(batches: readonly (readonly CloudTrailRecord[])[], extra: Record<string, unknown> = {}) {
  return judgeBatches([pipelineIamWrite, pipelineRoleBorrowed], { ...INVENTORY, ...extra }, batches);
}

/** A pipeline's OIDC run that assumes the CDK deploy role and creates an admin user with it. */
function chainedIamWrite(pipelineRole: string, subject: string, keys: [string, string], minute: number) {
  const [web, runner] = oidcSession(at(minute, PROD, 'eu-west-1'), pipelineRole, subject, keys[0]);
  const [assume, deployer] = assumeRole(
    at(minute + 1, PROD, 'eu-west-1'),
    roleIdentity(runner),
    PROD,
    DEPLOY_ROLE,
    keys[1],
  );
  const createUser = call(at(minute + 2), deployer, IAM, 'CreateUser', { userName: 'backdoor' });
  const attach = call(at(minute + 3), deployer, IAM, 'AttachUserPolicy', {
    userName: 'backdoor',
    policyArn: ADMIN_POLICY,
  });
  return { links: [web, assume], writes: [createUser, attach], runner, deployer };
}

describe('lineage: role chaining', () => {
  it('reports a service pipeline writing IAM through the CDK deploy role, with its chain', async () => {
    const run = chainedIamWrite(
      'gha-shop-prod',
      'repo:acme/shop:ref:refs/heads/main',
      ['ASIASHOPRUNNER00001', 'ASIASHOPDEPLOYER0001'],
      0,
    );
    const { findings } = await judge([[...run.links, ...run.writes]]);
    expect(findings.map((f) => [f.detector, f.severity, f.pipeline])).toEqual([
      ['pipeline-iam-write', 'critical', 'shop-prod'],
      ['pipeline-iam-write', 'critical', 'shop-prod'],
    ]);
    const [first] = findings;
    expect(first?.principal).toBe(`arn:aws:iam::${PROD}:role/${DEPLOY_ROLE}`);
    expect(first?.summary).toContain(
      `through OIDC repo:acme/shop:ref:refs/heads/main → gha-shop-prod → ${DEPLOY_ROLE}`,
    );
    expect(first?.details?.lineage).toMatchObject([
      {
        origin: { kind: 'web-identity', subject: 'repo:acme/shop:ref:refs/heads/main' },
        hops: [
          {
            via: 'web-identity',
            role: `arn:aws:iam::${PROD}:role/gha-shop-prod`,
            accessKeyId: 'ASIASHOPRUNNER00001',
          },
          {
            via: 'assume-role',
            role: `arn:aws:iam::${PROD}:role/${DEPLOY_ROLE}`,
            accessKeyId: 'ASIASHOPDEPLOYER0001',
          },
        ],
      },
    ]);
  });

  it('stays quiet for the platform pipeline through the same deploy role', async () => {
    const run = chainedIamWrite(
      'gha-platform',
      'repo:acme/platform:ref:refs/heads/main',
      ['ASIAPLATRUNNER00001', 'ASIAPLATDEPLOYER0001'],
      0,
    );
    const { findings } = await judge([[...run.links, ...run.writes]]);
    expect(findings).toEqual([]);
  });

  it('gives the same findings when the writes are delivered before the assumptions', async () => {
    const run = chainedIamWrite(
      'gha-shop-prod',
      'repo:acme/shop:ref:refs/heads/main',
      ['ASIASHOPRUNNER00002', 'ASIASHOPDEPLOYER0002'],
      0,
    );
    const inOrder = await judge([[...run.links, ...run.writes]]);
    // The us-east-1 file with the writes first, then the eu-west-1 file with both assumptions, then the
    // assumptions one per batch in reverse: the second hop arrives before the first.
    const writesFirst = await judge([run.writes, run.links]);
    const backwards = await judge([
      run.writes,
      [run.links[1] as CloudTrailRecord],
      [run.links[0] as CloudTrailRecord],
    ]);
    const ids = (findings: readonly Finding[]) => findings.map((f) => f.id).sort();
    expect(ids(writesFirst.findings)).toEqual(ids(inOrder.findings));
    expect(ids(backwards.findings)).toEqual(ids(inOrder.findings));
    // Raised as soon as the second hop linked the writes to the pipeline's session; the first hop, arriving
    // last, only completes the chain (the finding is claimed already, so it folds).
    expect(backwards.findings[0]?.summary).toContain(
      `gha-shop-prod (${PROD}) session GitHubActions → ${DEPLOY_ROLE}`,
    );
    expect(backwards.engine.relinked).toBeGreaterThan(0);
  });

  it('does not judge again a write whose link arrives later than engine.lateness', async () => {
    const run = chainedIamWrite(
      'gha-shop-prod',
      'repo:acme/shop:ref:refs/heads/main',
      ['ASIASHOPRUNNER00003', 'ASIASHOPDEPLOYER0003'],
      0,
    );
    // An unrelated event 30 minutes on moves the watermark past the writes before the links arrive.
    const later = call(
      at(40),
      { account: PROD, role: 'unrelated', sessionName: 's', accessKeyId: 'ASIAUNRELATED000001' },
      's3.amazonaws.com',
      'PutObject',
      {},
    );
    const { findings } = await judge([run.writes, [later], run.links]);
    expect(findings).toEqual([]);
  });

  it('follows three hops across accounts, whichever copy of the cross-account record arrives', async () => {
    const run = chainedIamWrite(
      'gha-shop-prod',
      'repo:acme/shop:ref:refs/heads/main',
      ['ASIASHOPRUNNER00004', 'ASIASHOPDEPLOYER0004'],
      0,
    );
    const [crossAccount, shared] = assumeRole(
      at(5, PROD, 'eu-west-1'),
      roleIdentity(run.deployer),
      OTHER,
      'shared-deployer',
      'ASIASHAREDDEPLOYER04',
    );
    const ownerCopy = roleOwnerCopy(crossAccount, PROD, 'owner-copy-1');
    const key = call(at(6, OTHER), shared, IAM, 'CreateAccessKey', { userName: 'ci-bot' });
    const { findings } = await judge([[key], [ownerCopy], [...run.links, crossAccount]]);
    const write = findings.find((f) => f.eventIds[0] === key.eventID);
    expect(write).toMatchObject({ severity: 'critical', pipeline: 'shop-prod', account: OTHER });
    expect(write?.summary).toContain(`gha-shop-prod → ${DEPLOY_ROLE} → shared-deployer (${OTHER})`);
  });
});

describe('lineage: CloudFormation service roles', () => {
  /** `pipelineRole` deploys `stack` through the exec role; the exec role then writes IAM. */
  function stackDeploy(
    pipelineRole: string,
    subject: string,
    stack: string,
    keys: [string, string, string],
    minute: number,
  ) {
    const [web, runner] = oidcSession(at(minute, PROD, 'eu-west-1'), pipelineRole, subject, keys[0]);
    const [assume, deployer] = assumeRole(
      at(minute + 1, PROD, 'eu-west-1'),
      roleIdentity(runner),
      PROD,
      DEPLOY_ROLE,
      keys[1],
    );
    const changeSet = call(at(minute + 2, PROD, 'eu-west-1'), deployer, CFN, 'CreateChangeSet', {
      stackName: stack,
      changeSetName: 'cdk-deploy-change-set',
      roleARN: `arn:aws:iam::${PROD}:role/${EXEC_ROLE}`,
      changeSetType: 'UPDATE',
    });
    const execute = call(at(minute + 3, PROD, 'eu-west-1'), deployer, CFN, 'ExecuteChangeSet', {
      stackName: stack,
      changeSetName: 'cdk-deploy-change-set',
    });
    const [cfnAssume, exec] = cloudFormationAssumes(at(minute + 3, PROD, 'eu-west-1'), EXEC_ROLE, keys[2]);
    const createRole = call(
      at(minute + 5),
      exec,
      IAM,
      'CreateRole',
      { roleName: `${stack}-CrossAccountRole-1A2B3C4D5E6F`, assumeRolePolicyDocument: foreignTrust() },
      { invokedBy: CFN },
    );
    const attach = call(
      at(minute + 6),
      exec,
      IAM,
      'AttachRolePolicy',
      { roleName: `${stack}-CrossAccountRole-1A2B3C4D5E6F`, policyArn: ADMIN_POLICY },
      { invokedBy: CFN },
    );
    return { setup: [web, assume, changeSet, execute, cfnAssume], writes: [createRole, attach] };
  }

  it("attributes the exec role's writes to the service pipeline that started the operation", async () => {
    const deploy = stackDeploy(
      'gha-shop-prod',
      'repo:acme/shop:ref:refs/heads/main',
      'ShopStack',
      ['ASIASHOPRUNNER00010', 'ASIASHOPDEPLOYER0010', 'ASIAEXECROLE00000010'],
      0,
    );
    const { findings } = await judge([[...deploy.setup, ...deploy.writes]]);
    expect(findings.map((f) => [f.detector, f.severity, f.pipeline])).toEqual([
      ['pipeline-iam-write', 'critical', 'shop-prod'],
      ['pipeline-iam-write', 'critical', 'shop-prod'],
    ]);
    expect(findings[0]?.principal).toBe(`arn:aws:iam::${PROD}:role/${EXEC_ROLE}`);
    expect(findings[0]?.summary).toContain(`→ ${DEPLOY_ROLE} → stack ShopStack: ${EXEC_ROLE}`);
  });

  it('stays quiet for the platform pipeline deploying through the same exec role', async () => {
    const deploy = stackDeploy(
      'gha-platform',
      'repo:acme/platform:ref:refs/heads/main',
      'PlatformStack',
      ['ASIAPLATRUNNER00011', 'ASIAPLATDEPLOYER0011', 'ASIAEXECROLE00000011'],
      0,
    );
    const { findings } = await judge([[...deploy.setup, ...deploy.writes]]);
    expect(findings).toEqual([]);
  });

  it('gives the same findings when the writes arrive before the stack operation', async () => {
    const deploy = stackDeploy(
      'gha-shop-prod',
      'repo:acme/shop:ref:refs/heads/main',
      'ShopStack',
      ['ASIASHOPRUNNER00012', 'ASIASHOPDEPLOYER0012', 'ASIAEXECROLE00000012'],
      0,
    );
    const inOrder = await judge([[...deploy.setup, ...deploy.writes]]);
    const writesFirst = await judge([deploy.writes, deploy.setup]);
    expect(writesFirst.findings.map((f) => f.id).sort()).toEqual(inOrder.findings.map((f) => f.id).sort());
  });

  it('names both pipelines when their operations on one exec role overlap, and narrows by stack name', async () => {
    const shop = stackDeploy(
      'gha-shop-prod',
      'repo:acme/shop:ref:refs/heads/main',
      'ShopStack2',
      ['ASIASHOPRUNNER00013', 'ASIASHOPDEPLOYER0013', 'ASIAEXECROLE00000013'],
      0,
    );
    const platform = stackDeploy(
      'gha-platform',
      'repo:acme/platform:ref:refs/heads/main',
      'PlatformStack2',
      ['ASIAPLATRUNNER00013', 'ASIAPLATDEPLOYER0013', 'ASIAEXECROLE00000014'],
      1,
    );
    // A write whose resource name names no stack: both operations may have made it.
    const unnamed = call(
      at(8),
      {
        account: PROD,
        role: EXEC_ROLE,
        sessionName: 'AWSCloudFormation',
        accessKeyId: 'ASIAEXECROLE00000014',
      },
      IAM,
      'PutRolePolicy',
      { roleName: 'explicitly-named-role', policyName: 'inline' },
      { invokedBy: CFN },
    );
    const { findings } = await judge([
      [...shop.setup, ...platform.setup, ...shop.writes, ...platform.writes, unnamed],
    ]);
    // The platform stack's generated names say which operation made them: quiet.
    expect(findings.filter((f) => f.summary.includes('PlatformStack2-'))).toEqual([]);
    const ambiguous = findings.find((f) => f.eventIds[0] === unnamed.eventID);
    expect(ambiguous).toMatchObject({ severity: 'critical', pipeline: 'shop-prod' });
    expect(ambiguous?.summary).toContain(
      'one of 2 overlapping stack operations on this service role (also platform (platform))',
    );
    expect(findings.filter((f) => f.summary.includes('ShopStack2-'))).toHaveLength(2);
  });

  it('waits for the operation of the stack a generated name names, rather than blame another one', async () => {
    const shop = stackDeploy(
      'gha-shop-prod',
      'repo:acme/shop:ref:refs/heads/main',
      'ShopStack3',
      ['ASIASHOPRUNNER00016', 'ASIASHOPDEPLOYER0016', 'ASIAEXECROLE00000016'],
      0,
    );
    const platform = stackDeploy(
      'gha-platform',
      'repo:acme/platform:ref:refs/heads/main',
      'PlatformStack3',
      ['ASIAPLATRUNNER00016', 'ASIAPLATDEPLOYER0016', 'ASIAEXECROLE00000017'],
      1,
    );
    // Live: the platform stack's writes arrive while only the shop stack's operation is known.
    const { findings } = await judge([shop.setup, platform.writes, shop.writes, platform.setup]);
    expect(findings.filter((f) => f.summary.includes('PlatformStack3-'))).toEqual([]);
    expect(findings.filter((f) => f.summary.includes('ShopStack3-'))).toHaveLength(2);
  });

  it("leaves CloudFormation's calls with the caller's own credentials to the caller", async () => {
    const [web, runner] = oidcSession(
      at(0, PROD, 'eu-west-1'),
      'gha-shop-prod',
      'repo:acme/shop:ref:refs/heads/main',
      'ASIASHOPRUNNER00015',
    );
    const create = call(at(1, PROD, 'eu-west-1'), runner, CFN, 'CreateStack', { stackName: 'NoRoleStack' });
    const forward = call(
      at(2),
      runner,
      IAM,
      'CreateRole',
      { roleName: 'NoRoleStack-Role-1', assumeRolePolicyDocument: foreignTrust() },
      { invokedBy: CFN },
    );
    const { findings } = await judge([[web, create, forward]]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      pipeline: 'shop-prod',
      principal: `arn:aws:iam::${PROD}:role/gha-shop-prod`,
    });
    expect(findings[0]?.summary).not.toContain('stack');
  });
});

describe('pipeline-role-borrowed', () => {
  const sso = {
    account: PROD,
    role: 'AWSReservedSSO_AdministratorAccess_0123456789abcdef',
    sessionName: 'jane@example.com',
    accessKeyId: 'ASIASSOJANE000000001',
  };

  it("reports a human's SSO role assuming the prod pipeline role, and a denied try at lower severity", async () => {
    const [borrow] = assumeRole(
      at(0, PROD, 'eu-west-1'),
      roleIdentity(sso),
      PROD,
      'gha-shop-prod',
      'ASIABORROWED00000001',
      'jane',
    );
    const denied = call(
      at(1, PROD, 'eu-west-1'),
      sso,
      'sts.amazonaws.com',
      'AssumeRole',
      {},
      { readOnly: true },
    );
    denied.requestParameters = null;
    denied.errorCode = 'AccessDenied';
    denied.errorMessage = `User: arn:aws:sts::${PROD}:assumed-role/${sso.role}/${sso.sessionName} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${PROD}:role/gha-platform`;
    const { findings } = await judge([[borrow, denied]]);
    expect(findings.map((f) => [f.detector, f.severity, f.pipeline])).toEqual([
      ['pipeline-role-borrowed', 'critical', 'shop-prod'],
      ['pipeline-role-borrowed', 'medium', 'platform'],
    ]);
    expect(findings[0]?.principal).toBe(`arn:aws:iam::${PROD}:role/gha-shop-prod`);
    expect(findings[0]?.summary).toContain(`arn:aws:iam::${PROD}:role/${sso.role}`);
  });

  it('stays quiet for principals in assumableBy, AWS services, and roles outside the inventory', async () => {
    const [allowed] = assumeRole(
      at(0, PROD, 'eu-west-1'),
      roleIdentity(sso),
      PROD,
      'gha-shop-prod',
      'ASIABORROWED00000002',
    );
    const [deployRole] = assumeRole(
      at(1, PROD, 'eu-west-1'),
      roleIdentity(sso),
      PROD,
      DEPLOY_ROLE,
      'ASIABORROWED00000003',
    );
    const [cfn] = cloudFormationAssumes(at(2, PROD, 'eu-west-1'), 'gha-shop-prod', 'ASIABORROWED00000004');
    const pipelines = INVENTORY.pipelines.map((p) =>
      p.name === 'shop-prod'
        ? { ...p, assumableBy: [`arn:aws:iam::${PROD}:role/AWSReservedSSO_Administrator*`] }
        : p,
    );
    const { findings } = await judge([[allowed, deployRole, cfn]], { pipelines });
    expect(findings).toEqual([]);
  });

  it('reports a service pipeline assuming the platform role once for both copies of a cross-account record', async () => {
    const [web, runner] = oidcSession(
      at(0, PROD, 'eu-west-1'),
      'gha-shop-prod',
      'repo:acme/shop:ref:refs/heads/main',
      'ASIASHOPRUNNER00020',
    );
    const pipelines = [
      ...INVENTORY.pipelines,
      {
        name: 'platform-333',
        role: `arn:aws:iam::${OTHER}:role/gha-platform`,
        kind: 'platform',
        oidc: { provider: 'github', subjects: ['repo:acme/platform:*'] },
      },
    ];
    const [borrow] = assumeRole(
      at(1, PROD, 'eu-west-1'),
      roleIdentity(runner),
      OTHER,
      'gha-platform',
      'ASIABORROWED00000020',
    );
    const copy = roleOwnerCopy(borrow, PROD, 'owner-copy-20');
    const { findings } = await judge([[web, borrow], [copy]], { pipelines });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      detector: 'pipeline-role-borrowed',
      pipeline: 'platform-333',
      severity: 'high',
    });
    expect(findings[0]?.summary).toContain(
      'credentials from OIDC repo:acme/shop:ref:refs/heads/main → gha-shop-prod',
    );
  });
});
