import { describe, expect, it } from 'vitest';
import { oidcSessionExfiltration } from '../../../detectors/oidc-session-exfiltration.ts';
import { DetectionEngine } from '../../../lib/engine/detection-engine.ts';
import { MemoryState } from '../../../lib/state/memory-state.ts';
import { testConfig } from '../../helpers/config.ts';
import { normalized } from '../../helpers/records.ts';
import { detectorContext } from '../../helpers/stateful-run.ts';
import { type CloudTrailRecord, roleIdentity } from '../../helpers/trail-records.ts';
import {
  assumeRole,
  at,
  call,
  cloudFormationAssumes,
  DEPLOY_ROLE,
  EXEC_ROLE,
  INVENTORY,
  judgeBatches,
  OTHER,
  oidcSession,
  PROD,
  RUNNER_IP,
  type Session,
  sessionKey,
} from './chain-records.ts';

const NOW = Date.parse('2026-11-26T00:00:00Z');
const S3 = 's3.amazonaws.com';
const SECRETS = 'secretsmanager.amazonaws.com';
const CFN = 'cloudformation.amazonaws.com';
const ELSEWHERE = '198.51.100.7';
const SHOP_SUBJECT = 'repo:acme/shop:ref:refs/heads/main';

async function judge(batches: readonly (readonly CloudTrailRecord[])[], extra: Record<string, unknown> = {}) {
  return (await judgeBatches([oidcSessionExfiltration], { ...INVENTORY, ...extra }, batches)).findings;
}

const key = sessionKey;

/** The shop pipeline's run: its OIDC exchange from the runner, and `assumptions` of the CDK deploy role. */
function shopRun(minute = 0, assumptions = 1) {
  const [web, runner] = oidcSession(
    at(minute, PROD, 'eu-west-1'),
    'gha-shop-prod',
    SHOP_SUBJECT,
    key('runner'),
  );
  const links: CloudTrailRecord[] = [web];
  const deployers: Session[] = [];
  for (let i = 0; i < assumptions; i++) {
    const [assume, deployer] = assumeRole(
      at(minute + 1 + i * 0.01, PROD, 'eu-west-1'),
      roleIdentity(runner),
      PROD,
      DEPLOY_ROLE,
      key('deploy'),
    );
    links.push(assume);
    deployers.push(deployer);
  }
  return { links, runner, deployer: deployers[0] as Session, deployers };
}

/** A secrets read by `session` at `minute`, from `ip`. */
function readFrom(session: Session, minute: number, ip: string, account = PROD): CloudTrailRecord {
  const record = call(
    at(minute, account),
    session,
    SECRETS,
    'GetSecretValue',
    { secretId: 'prod/db' },
    {
      readOnly: true,
    },
  );
  record.sourceIPAddress = ip;
  record.userAgent = 'aws-cli/2.27.3';
  return record;
}

describe('oidc-session-exfiltration through lineage', () => {
  it("reports the runner's chained session used away from the runner, keyed and folded as one theft", async () => {
    const run = shopRun();
    const findings = await judge([
      [...run.links, readFrom(run.deployer, 5, ELSEWHERE), readFrom(run.deployer, 6, ELSEWHERE)],
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      detector: 'oidc-session-exfiltration',
      severity: 'critical',
      pipeline: 'shop-prod',
      subject: SHOP_SUBJECT,
      principal: `arn:aws:iam::${PROD}:role/gha-shop-prod`,
      details: {
        accessKeyId: run.deployer.accessKeyId,
        runnerAccessKeyId: run.runner.accessKeyId,
        issuedFrom: RUNNER_IP,
        usedFrom: ELSEWHERE,
        chain: `OIDC ${SHOP_SUBJECT} → gha-shop-prod → ${DEPLOY_ROLE}`,
      },
    });
    expect(findings[0]?.summary).toContain(
      `away from the runner that exchanged the token (${RUNNER_IP}), through OIDC ${SHOP_SUBJECT} → gha-shop-prod → ${DEPLOY_ROLE}`,
    );
    // The runner's own key used from elsewhere too: the same theft, one finding.
    const both = await judge([
      [...run.links, readFrom(run.runner, 4, ELSEWHERE), readFrom(run.deployer, 5, ELSEWHERE)],
    ]);
    expect(both).toHaveLength(1);
  });

  it('stays quiet for a normal CDK deploy: dozens of chained sessions, all used from the runner', async () => {
    const run = shopRun(0, 40);
    const reads = run.deployers.map((deployer, i) => readFrom(deployer, 2 + i * 0.1, RUNNER_IP));
    const writes = run.deployers.map((deployer, i) =>
      call(at(2 + i * 0.1), deployer, S3, 'PutBucketTagging', { bucketName: 'cdk-assets' }),
    );
    expect(await judge([[...run.links, ...reads, ...writes]])).toEqual([]);
  });

  it('follows three hops across accounts, whichever batch each record arrives in', async () => {
    const run = shopRun();
    const [cross, shared] = assumeRole(
      at(3, PROD, 'eu-west-1'),
      roleIdentity(run.deployer),
      OTHER,
      'shared-deployer',
      key('shared'),
    );
    const use = readFrom(shared, 5, ELSEWHERE, OTHER);
    const findings = await judge([run.links, [cross], [use]]);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.summary).toContain(`→ ${DEPLOY_ROLE} → shared-deployer (${OTHER})`);
    expect(await judge([[...run.links, cross, readFrom(shared, 5, RUNNER_IP, OTHER)]])).toEqual([]);
  });

  it('judges a chained session by the pipeline networks, without the exchange address', async () => {
    const pipelines = INVENTORY.pipelines.map((p) =>
      p.name === 'shop-prod' ? { ...p, networks: ['20.55.0.0/16'] } : p,
    );
    const run = shopRun();
    // Another runner of the pool (inside the networks): quiet.
    expect(await judge([[...run.links, readFrom(run.deployer, 5, '20.55.99.9')]], { pipelines })).toEqual([]);
    const outside = await judge([[...run.links, readFrom(run.deployer, 5, ELSEWHERE)]], { pipelines });
    expect(outside).toHaveLength(1);
    expect(outside[0]?.summary).toContain('outside the networks of pipeline shop-prod');
    expect(outside[0]?.details).toMatchObject({ networksConfigured: true, networks: ['20.55.0.0/16'] });
  });

  it('judges a chained session after the runner key expired, for as long as the chained one lives', async () => {
    const run = shopRun(0);
    // The deploy role assumed 55 minutes in: its session outlives the runner's hour by 55 minutes.
    const [late, deployer] = assumeRole(
      at(55, PROD, 'eu-west-1'),
      roleIdentity(run.runner),
      PROD,
      DEPLOY_ROLE,
      key('late'),
    );
    const findings = await judge([[...run.links, late, readFrom(deployer, 100, ELSEWHERE)]]);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.details?.accessKeyId).toBe(deployer.accessKeyId);
    // The runner's own key at that time is expired: nothing to steal.
    expect(await judge([[...run.links, readFrom(run.runner, 100, ELSEWHERE)]])).toEqual([]);
  });

  it('stays quiet for calls services make for the chained session, and for stack service roles', async () => {
    const run = shopRun();
    const forwarded = call(
      at(5),
      run.deployer,
      'iam.amazonaws.com',
      'CreateRole',
      { roleName: 'NoRoleStack-Role-1' },
      { invokedBy: CFN },
    );
    const changeSet = call(at(3, PROD, 'eu-west-1'), run.deployer, CFN, 'CreateChangeSet', {
      stackName: 'ShopStack',
      changeSetName: 'cdk-deploy-change-set',
      roleARN: `arn:aws:iam::${PROD}:role/${EXEC_ROLE}`,
    });
    const [cfnAssume, exec] = cloudFormationAssumes(at(4, PROD, 'eu-west-1'), EXEC_ROLE, key('exec'));
    const execWrite = call(at(6), exec, S3, 'PutBucketPolicy', { bucketName: 'shop' }, { invokedBy: CFN });
    expect(await judge([[...run.links, forwarded, changeSet, cfnAssume, execWrite]])).toEqual([]);
  });

  it('ignores chains that do not start at a CI runner: a human SSO session through the deploy role', async () => {
    const sso = {
      account: PROD,
      role: 'AWSReservedSSO_AdministratorAccess_0123456789abcdef',
      sessionName: 'jane@example.com',
      accessKeyId: key('sso'),
    };
    const [assume, deployer] = assumeRole(
      at(1, PROD, 'eu-west-1'),
      roleIdentity(sso),
      PROD,
      DEPLOY_ROLE,
      key('d'),
    );
    expect(await judge([[assume, readFrom(deployer, 2, ELSEWHERE)]])).toEqual([]);
  });

  it('recalls the exchange for a chain linked before the exchange arrived (a role origin)', async () => {
    const run = shopRun();
    const [web, assume] = run.links as [CloudTrailRecord, CloudTrailRecord];
    // The assumption first, and the exchange only after engine.lateness: the deploy session's link keeps
    // starting at the runner's session (origin `role`, with the runner's key), and the exchange, remembered
    // late as it is, names that key.
    const other = { account: PROD, role: 'unrelated', sessionName: 's', accessKeyId: key('other') };
    const findings = await judge([
      [assume],
      [readFrom(other, 40, RUNNER_IP)],
      [web],
      [readFrom(run.deployer, 45, ELSEWHERE)],
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.details).toMatchObject({
      runnerAccessKeyId: run.runner.accessKeyId,
      chain: `gha-shop-prod (${PROD}) session GitHubActions → ${DEPLOY_ROLE}`,
    });
  });

  it('hands the engine one frozen observation per runner key (no allocation per call)', async () => {
    const run = shopRun(0, 2);
    const config = testConfig(INVENTORY);
    const context = detectorContext(oidcSessionExfiltration, config);
    const engine = new DetectionEngine({
      detectors: [oidcSessionExfiltration],
      config,
      state: new MemoryState(),
      now: NOW,
    });
    const reads = [
      readFrom(run.deployers[0] as Session, 3, RUNNER_IP),
      readFrom(run.deployers[1] as Session, 3, RUNNER_IP),
    ];
    const events = [...run.links, ...reads].map(normalized);
    await engine.process(events);
    const [a, b] = events.slice(-2).map((event) => oidcSessionExfiltration.observe(event, context));
    expect(a).toBe(b);
    expect(a).toEqual({ recall: [`issued:${run.runner.accessKeyId}`], onlyIfRecalled: true });
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('reads the lineage only of session calls it could raise on (each costs a link lookup)', () => {
    const run = shopRun();
    const config = testConfig(INVENTORY);
    const context = detectorContext(oidcSessionExfiltration, config);
    const reads = (record: CloudTrailRecord) =>
      oidcSessionExfiltration.readsLineage?.(normalized(record), context);
    expect(reads(readFrom(run.deployer, 5, ELSEWHERE))).toBe(true);
    expect(reads(call(at(5), run.deployer, S3, 'PutObject', {}, { invokedBy: CFN }))).toBe(false);
    expect(reads(run.links[0] as CloudTrailRecord)).toBe(false);
  });
});
