import { describe, expect, it } from 'vitest';
import { agentChangeRate } from '../../../detectors/agent-change-rate.ts';
import type { NormalizedEvent } from '../../../lib/events/normalized-event.ts';
import { testConfig } from '../../helpers/config.ts';
import { normalized } from '../../helpers/records.ts';
import { detectorContext } from '../../helpers/stateful-run.ts';
import { type CloudTrailRecord, roleIdentity } from '../../helpers/trail-records.ts';
import {
  ADMIN_POLICY,
  assumeRole,
  at,
  call,
  cloudFormationAssumes,
  DEPLOY_ROLE,
  EXEC_ROLE,
  INVENTORY,
  judgeBatches,
  oidcSession,
  PROD,
  type Session,
  sessionKey,
} from './chain-records.ts';

const _NOW = Date.parse('2026-11-26T00:00:00Z');
const IAM = 'iam.amazonaws.com';
const SSM = 'ssm.amazonaws.com';
const CFN = 'cloudformation.amazonaws.com';
const AGENT_ROLE = `arn:aws:iam::${PROD}:role/gha-agent`;
const AGENT_SUBJECT = 'repo:acme/agent:ref:refs/heads/main';

/** The shared inventory plus an agent pipeline: its own OIDC role, deploying through the same CDK roles. */
const PIPELINES = [
  ...INVENTORY.pipelines,
  {
    name: 'ops-agent',
    role: AGENT_ROLE,
    kind: 'agent',
    oidc: { provider: 'github', subjects: ['repo:acme/agent:*'] },
  },
];

async function judge(
  batches: readonly (readonly CloudTrailRecord[])[],
  params: Record<string, unknown> = {},
) {
  const config = { pipelines: PIPELINES, detectors: { 'agent-change-rate': params } };
  return (await judgeBatches([agentChangeRate], config, batches)).findings;
}

const key = sessionKey;

/** A pipeline run: its OIDC session and the CDK deploy role it assumes (`assumptions` times, as CDK does). */
function run(role: string, subject: string, minute: number, assumptions = 1) {
  const [web, runner] = oidcSession(at(minute, PROD, 'eu-west-1'), role, subject, key(role.slice(4, 10)));
  const links: CloudTrailRecord[] = [web];
  let deployer: Session | undefined;
  for (let i = 0; i < assumptions; i++) {
    const [assume, session] = assumeRole(
      at(minute + 0.5 + i * 0.01, PROD, 'eu-west-1'),
      roleIdentity(runner),
      PROD,
      DEPLOY_ROLE,
      key('deploy'),
    );
    links.push(assume);
    deployer ??= session;
  }
  return { links, runner, deployer: deployer as Session };
}

/** `count` SSM writes by `session`, 6 seconds apart from `minute`. */
const writes = (session: Session, count: number, minute: number) =>
  Array.from({ length: count }, (_, i) =>
    call(at(minute + i / 10), session, SSM, 'PutParameter', { name: `/agent/p${i}`, overwrite: true }),
  );

/** `session` deploys `stack` through the CDK exec role; CloudFormation then makes `resources` IAM writes. */
function stackDeploy(session: Session, stack: string, minute: number, resources: number) {
  const changeSet = call(at(minute, PROD, 'eu-west-1'), session, CFN, 'CreateChangeSet', {
    stackName: stack,
    changeSetName: 'cdk-deploy-change-set',
    roleARN: `arn:aws:iam::${PROD}:role/${EXEC_ROLE}`,
    changeSetType: 'UPDATE',
  });
  const execute = call(at(minute + 0.5, PROD, 'eu-west-1'), session, CFN, 'ExecuteChangeSet', {
    stackName: stack,
    changeSetName: 'cdk-deploy-change-set',
  });
  const [cfnAssume, exec] = cloudFormationAssumes(
    at(minute + 0.6, PROD, 'eu-west-1'),
    EXEC_ROLE,
    key('exec'),
  );
  const created = Array.from({ length: resources }, (_, i) =>
    call(
      at(minute + 1 + i / 10),
      exec,
      IAM,
      i % 2 === 0 ? 'CreateRole' : 'AttachRolePolicy',
      { roleName: `${stack}-Role${Math.floor(i / 2)}-1A2B3C4D5E6F`, policyArn: ADMIN_POLICY },
      { invokedBy: CFN },
    ),
  );
  return { operation: [changeSet, execute, cfnAssume], created };
}

describe('agent-change-rate through lineage: chained sessions', () => {
  it("counts the agent's chained writes under its own key, with its direct ones, and shows the chain", async () => {
    const agent = run('gha-agent', AGENT_SUBJECT, 0);
    const own = writes(agent.runner, 5, 1);
    const chained = writes(agent.deployer, 6, 2);
    const findings = await judge([[...agent.links, ...own, ...chained]]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      detector: 'agent-change-rate',
      pipeline: 'ops-agent',
      principal: AGENT_ROLE,
      count: 11,
      details: { budget: 'changes', limit: 10, changes: 11, chained: 6, recognisedBy: 'inventory' },
    });
    const chain = `OIDC ${AGENT_SUBJECT} → gha-agent → ${DEPLOY_ROLE}`;
    expect(findings[0]?.details?.chains).toEqual([{ value: chain, count: 6 }]);
    expect(findings[0]?.summary).toBe(
      `Agent ops-agent (${AGENT_ROLE}) made 11 changes in 1h (budget 10), 6 through ${chain}`,
    );
    // Control: either part alone is within the budget.
    expect(await judge([[...agent.links, ...own]])).toEqual([]);
    expect(await judge([[...agent.links, ...chained]])).toEqual([]);
  });

  it('counts a write once however often it is delivered, and a self-chain once', async () => {
    const agent = run('gha-agent', AGENT_SUBJECT, 0);
    const chained = writes(agent.deployer, 10, 1);
    // Redelivered in a later batch (live: an EventBridge retry; replay: overlapping files).
    expect(await judge([[...agent.links, ...chained], chained, chained.slice(0, 3)])).toEqual([]);
    // The agent's role assumed by its own session: the signer is the agent, counted once under its key.
    const [self, again] = assumeRole(
      at(0.7, PROD, 'eu-west-1'),
      roleIdentity(agent.runner),
      PROD,
      'gha-agent',
      key('self'),
    );
    expect(await judge([[...agent.links, self, ...writes(again, 10, 1)]])).toEqual([]);
    expect(await judge([[...agent.links, self, ...writes(again, 11, 1)]])).toHaveLength(1);
  });

  it('charges the IAM budget for chained IAM writes', async () => {
    const agent = run('gha-agent', AGENT_SUBJECT, 0);
    const iam = ['backdoor-1', 'backdoor-2', 'backdoor-3'].map((user, i) =>
      call(at(1 + i), agent.deployer, IAM, 'CreateUser', { userName: user }),
    );
    const findings = await judge([[...agent.links, ...iam]], { maxIamChanges: 2 });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      title: 'Agent exceeded its IAM change budget',
      principal: AGENT_ROLE,
      details: { budget: 'iam', limit: 2, chained: 3 },
    });
  });

  it('a normal CDK day: dozens of deploy-role assumptions by the agent and the pipelines cost nothing', async () => {
    const agent = run('gha-agent', AGENT_SUBJECT, 0, 40);
    const shop = run('gha-shop-prod', 'repo:acme/shop:ref:refs/heads/main', 0, 40);
    const platform = run('gha-platform', 'repo:acme/platform:ref:refs/heads/main', 0, 40);
    const findings = await judge([
      [...agent.links, ...shop.links, ...platform.links, ...writes(agent.deployer, 10, 5)],
    ]);
    expect(findings).toEqual([]);
  });

  it('never charges the agent for the platform or a service pipeline going through the same deploy role', async () => {
    const agent = run('gha-agent', AGENT_SUBJECT, 0);
    const platform = run('gha-platform', 'repo:acme/platform:ref:refs/heads/main', 0);
    const shop = run('gha-shop-prod', 'repo:acme/shop:ref:refs/heads/main', 0);
    const findings = await judge(
      [
        [
          ...agent.links,
          ...platform.links,
          ...shop.links,
          // The agent at exactly its budget; the others far over it, through the same role.
          ...writes(agent.deployer, 10, 1),
          ...writes(platform.deployer, 30, 1),
          ...writes(shop.deployer, 30, 1),
        ],
      ],
      { maxChanges: 10 },
    );
    expect(findings).toEqual([]);
  });
});

describe('agent-change-rate through lineage: stacks deployed through a service role', () => {
  it("counts the IAM writes CloudFormation makes with the exec role for the agent's stack to its IAM budget", async () => {
    const agent = run('gha-agent', AGENT_SUBJECT, 0);
    const deploy = stackDeploy(agent.deployer, 'AgentStack', 1, 9);
    const strict = { maxIamChanges: 8 };
    const findings = await judge([[...agent.links, ...deploy.operation, ...deploy.created]], strict);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      title: 'Agent exceeded its IAM change budget',
      pipeline: 'ops-agent',
      principal: AGENT_ROLE,
      // Nine IAM writes by the exec role; the stack operation itself is one change of the overall budget.
      count: 9,
      details: {
        budget: 'iam',
        chained: 9,
        actions: expect.arrayContaining([{ value: 'iam:CreateRole', count: 5 }]),
      },
    });
    expect(findings[0]?.summary).toContain(`→ stack AgentStack: ${EXEC_ROLE}`);
    // Control: eight IAM writes stay within that budget, and without one the stack is a single change.
    const small = stackDeploy(agent.deployer, 'AgentStack', 1, 8);
    expect(await judge([[...agent.links, ...small.operation, ...small.created]], strict)).toEqual([]);
    const large = stackDeploy(agent.deployer, 'AgentStack', 1, 30);
    expect(await judge([[...agent.links, ...large.operation, ...large.created]])).toEqual([]);
  });

  it('never charges the agent for the platform pipeline deploying through the same exec role', async () => {
    const agent = run('gha-agent', AGENT_SUBJECT, 0);
    const platform = run('gha-platform', 'repo:acme/platform:ref:refs/heads/main', 0);
    const agentStack = stackDeploy(agent.deployer, 'AgentStack', 1, 8);
    // The platform's operation starts 20 minutes on, outside the agent's operation window.
    const platformStack = stackDeploy(platform.deployer, 'PlatformStack', 20, 30);
    const findings = await judge([
      [
        ...agent.links,
        ...platform.links,
        ...agentStack.operation,
        ...agentStack.created,
        ...platformStack.operation,
        ...platformStack.created,
      ],
    ]);
    expect(findings).toEqual([]);
  });

  it('reads no lineage without an agent in the inventory, nor of reads (each costs a link lookup)', () => {
    const agent = run('gha-agent', AGENT_SUBJECT, 0);
    const write = normalized(writes(agent.deployer, 1, 1)[0] as CloudTrailRecord);
    const read = normalized(
      call(at(1), agent.deployer, SSM, 'GetParameter', { name: '/x' }, { readOnly: true }),
    );
    const reads = (event: NormalizedEvent, pipelines: readonly unknown[]) => {
      const config = testConfig({ pipelines });
      const context = detectorContext(agentChangeRate, config);
      return agentChangeRate.readsLineage?.(event, context);
    };
    expect(reads(write, PIPELINES)).toBe(true);
    expect(reads(write, INVENTORY.pipelines)).toBe(false);
    expect(reads(read, PIPELINES)).toBe(false);
  });
});
