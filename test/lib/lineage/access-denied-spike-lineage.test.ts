import { describe, expect, it } from 'vitest';
import { accessDeniedSpike } from '../../../detectors/access-denied-spike.ts';
import { type CloudTrailRecord, roleIdentity } from '../../helpers/trail-records.ts';
import {
  assumeRole,
  at,
  call,
  DEPLOY_ROLE,
  INVENTORY,
  judgeBatches,
  OTHER,
  oidcSession,
  PROD,
  type Session,
  sessionKey,
} from './chain-records.ts';

const _NOW = Date.parse('2026-11-26T00:00:00Z');
const SHOP_ROLE = `arn:aws:iam::${PROD}:role/gha-shop-prod`;
const SHOP_SUBJECT = 'repo:acme/shop:ref:refs/heads/main';
const PLATFORM_SUBJECT = 'repo:acme/platform:ref:refs/heads/main';

async function judge(batches: readonly (readonly CloudTrailRecord[])[]) {
  return (await judgeBatches([accessDeniedSpike], INVENTORY, batches)).findings;
}

const key = sessionKey;

/** A pipeline's OIDC session and `assumptions` sessions of `role` assumed with it. */
function run(pipelineRole: string, subject: string, minute: number, assumptions = 1, role = DEPLOY_ROLE) {
  const [web, runner] = oidcSession(at(minute, PROD, 'eu-west-1'), pipelineRole, subject, key('runner'));
  const links: CloudTrailRecord[] = [web];
  const chained: Session[] = [];
  for (let i = 0; i < assumptions; i++) {
    const [assume, session] = assumeRole(
      at(minute + 0.5 + i * 0.01, PROD, 'eu-west-1'),
      roleIdentity(runner),
      PROD,
      role,
      key('chained'),
    );
    links.push(assume);
    chained.push(session);
  }
  return { links, runner, chained: chained[0] as Session, sessions: chained };
}

/** `count` denied reads by `session`, 3 seconds apart from `minute` (enumeration across services). */
function denials(session: Session, count: number, minute: number): CloudTrailRecord[] {
  const actions = [
    ['iam.amazonaws.com', 'ListUsers'],
    ['secretsmanager.amazonaws.com', 'ListSecrets'],
    ['s3.amazonaws.com', 'ListBuckets'],
    ['kms.amazonaws.com', 'ListKeys'],
  ] as const;
  return Array.from({ length: count }, (_, i) => {
    const [source, name] = actions[i % actions.length] as (typeof actions)[number];
    const record = call(at(minute + i / 20, session.account), session, source, name, {}, { readOnly: true });
    record.errorCode = 'AccessDenied';
    record.errorMessage = `User: arn:aws:sts::${session.account}:assumed-role/${session.role}/${session.sessionName} is not authorized to perform: ${source.split('.')[0]}:${name}`;
    return record;
  });
}

describe('access-denied-spike through lineage', () => {
  it("counts a chained session's denials to the pipeline it came from, and names the chain", async () => {
    const shop = run('gha-shop-prod', SHOP_SUBJECT, 0);
    const findings = await judge([[...shop.links, ...denials(shop.chained, 20, 1)]]);
    // The origin and the deploy role both reach 20 on the same denial: one finding, the pipeline's.
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      detector: 'access-denied-spike',
      principal: SHOP_ROLE,
      pipeline: 'shop-prod',
      subject: SHOP_SUBJECT,
      count: 20,
      details: { chains: [{ value: `OIDC ${SHOP_SUBJECT} → gha-shop-prod → ${DEPLOY_ROLE}`, count: 20 }] },
    });
    expect(findings[0]?.summary).toContain(`, through OIDC ${SHOP_SUBJECT} → gha-shop-prod → ${DEPLOY_ROLE}`);
  });

  it('adds up denials split between the pipeline role and the roles it chained into (the evasion)', async () => {
    const shop = run('gha-shop-prod', SHOP_SUBJECT, 0);
    const [linkOther, second] = assumeRole(
      at(0.8, PROD, 'eu-west-1'),
      roleIdentity(shop.runner),
      OTHER,
      'shared-reader',
      key('other'),
    );
    // 7 with its own key, 7 through the deploy role, 6 through a role in another account: no signer
    // reaches the threshold of 20, the pipeline does.
    const split = [
      ...denials(shop.runner, 7, 1),
      ...denials(shop.chained, 7, 1.01),
      ...denials(second, 6, 1.02),
    ];
    const findings = await judge([[...shop.links, linkOther, ...split]]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ principal: SHOP_ROLE, pipeline: 'shop-prod', count: 20 });
    expect(findings[0]?.details?.chains).toEqual([
      { value: `OIDC ${SHOP_SUBJECT} → gha-shop-prod → ${DEPLOY_ROLE}`, count: 7 },
      { value: `OIDC ${SHOP_SUBJECT} → gha-shop-prod → shared-reader (${OTHER})`, count: 6 },
    ]);
    // Control: one fewer and nobody reaches it.
    expect(await judge([[...shop.links, linkOther, ...split.slice(1)]])).toEqual([]);
  });

  it("counts a denial once per key: the runner's own session is its origin", async () => {
    const shop = run('gha-shop-prod', SHOP_SUBJECT, 0);
    expect(await judge([[...shop.links, ...denials(shop.runner, 19, 1)]])).toEqual([]);
    const findings = await judge([[...shop.links, ...denials(shop.runner, 20, 1)]]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ principal: SHOP_ROLE, count: 20 });
    expect(findings[0]?.details?.chains).toBeUndefined();
  });

  it('keeps pipelines apart through a shared deploy role: the role spikes, neither pipeline does', async () => {
    const shop = run('gha-shop-prod', SHOP_SUBJECT, 0);
    const platform = run('gha-platform', PLATFORM_SUBJECT, 0);
    const findings = await judge([
      [
        ...shop.links,
        ...platform.links,
        ...denials(shop.chained, 10, 1),
        ...denials(platform.chained, 10, 1.01),
      ],
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ principal: `arn:aws:iam::${PROD}:role/${DEPLOY_ROLE}`, count: 20 });
    expect(findings[0]?.pipeline).toBeUndefined();
    expect(findings[0]?.details?.chains).toHaveLength(2);
  });

  it('a normal CDK day: dozens of deploy-role sessions per run, a few denials each, raise nothing', async () => {
    const batches: CloudTrailRecord[][] = [];
    for (let hour = 0; hour < 6; hour++) {
      for (const [role, subject] of [
        ['gha-shop-prod', SHOP_SUBJECT],
        ['gha-platform', PLATFORM_SUBJECT],
      ] as const) {
        const deploy = run(role, subject, hour * 60, 40);
        // CDK's lookups of what the deploy role may not read: three per run, across its sessions.
        const denied = deploy.sessions
          .slice(0, 3)
          .flatMap((session, i) => denials(session, 1, hour * 60 + 2 + i));
        batches.push([...deploy.links, ...denied]);
      }
    }
    expect(await judge(batches)).toEqual([]);
  });
});
