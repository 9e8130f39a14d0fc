import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../lib/config/load-config.ts';
import { actionOf } from '../../../lib/events/event-action.ts';
import { deniedQuery } from '../../../lib/queries/denied-query.ts';
import { iamWritesQuery } from '../../../lib/queries/iam-writes-query.ts';
import { keysQuery } from '../../../lib/queries/keys-query.ts';
import { oidcQuery } from '../../../lib/queries/oidc-query.ts';
import { principalQuery } from '../../../lib/queries/principal-query.ts';
import { QueryError } from '../../../lib/queries/query-error.ts';
import type { Row } from '../../../lib/queries/query-types.ts';
import { testConfig } from '../../helpers/config.ts';
import { ACCOUNT, SYNTHETIC_CONFIG, syntheticTrail } from '../../helpers/synthetic-trail.ts';
import {
  apiCall,
  type CloudTrailRecord,
  iamUserIdentity,
  roleIdentity,
} from '../../helpers/trail-records.ts';
import { memorySource } from './memory-source.ts';

const HOUR = 3_600_000;
const context = { config: parseConfigText(SYNTHETIC_CONFIG, 'synthetic.yaml') };
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const pick = (rows: readonly Row[], ...keys: string[]) => rows.map((r) => keys.map((k) => r[k]));

let records: CloudTrailRecord[];
beforeAll(() => {
  records = [...syntheticTrail({ seed: 7, attacks: true })];
});

describe('query denied', () => {
  it('counts every authorization failure per principal, action and hour exactly', async () => {
    const { rows } = await deniedQuery.run({ binMs: HOUR }, context, memorySource(records));
    // Independent count: the synthetic trail's only denial code, keyed the way a reader would by hand.
    const expected = new Map<string, number>();
    for (const r of records) {
      if (r.errorCode !== 'AccessDenied') continue;
      const identity = r.userIdentity as { sessionContext: { sessionIssuer: { arn: string } } };
      const bin = new Date(Math.floor(Date.parse(String(r.eventTime)) / HOUR) * HOUR).toISOString();
      const key = `${identity.sessionContext.sessionIssuer.arn} ${actionOf(String(r.eventSource), String(r.eventName))} ${bin}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const actual = new Map(rows.map((r) => [`${r.principal} ${r.action} ${r.bin}`, r.count]));
    expect(actual).toEqual(expected);
    expect(rows.reduce((n, r) => n + Number(r.count), 0)).toBe(
      records.filter((r) => r.errorCode === 'AccessDenied').length,
    );
    // The stolen key's burst: 60 enumeration calls and StopLogging in the 08:00 bin.
    expect(
      pick(
        rows.filter((r) => r.principal === role('deploy-shop-prod')),
        'action',
        'count',
      ),
    ).toEqual([
      ['cloudtrail:StopLogging', 1],
      ['iam:GetAccountAuthorizationDetails', 20],
      ['iam:ListSecrets', 20],
      ['iam:ListUsers', 20],
    ]);
  });

  it('follows the allow-list: authorization failures only, whatever the spelling', async () => {
    const identity = iamUserIdentity(ACCOUNT, 'probe', 'AKIAPROBE00000000001');
    const at = (i: number, errorCode: string) =>
      apiCall(
        {
          time: Date.parse('2026-11-20T10:00:00Z') + i * 1000,
          eventId: `e${i}`,
          account: ACCOUNT,
          region: 'us-east-1',
        },
        {
          identity,
          source: 'ec2.amazonaws.com',
          name: 'RunInstances',
          readOnly: false,
          sourceIp: '192.0.2.1',
          userAgent: 'x',
          errorCode,
        },
      );
    const codes = [
      'AccessDenied',
      'Client.UnauthorizedOperation',
      'AccessDeniedException',
      'VpceAccessDenied',
      'KMSAccessDeniedException',
      'Client.DryRunOperation',
      'NoSuchEntity',
      '200',
      'NotAuthorizedException',
    ];
    const { rows } = await deniedQuery.run(
      { binMs: HOUR },
      context,
      memorySource(codes.map((c, i) => at(i, c))),
    );
    expect(rows).toEqual([
      {
        principal: `arn:aws:iam::${ACCOUNT}:user/probe`,
        action: 'ec2:RunInstances',
        bin: '2026-11-20T10:00:00.000Z',
        count: 4,
      },
    ]);
  });

  it('bins on the --bin width, aligned to the epoch', async () => {
    const { rows } = await deniedQuery.run({ binMs: 15 * 60_000 }, context, memorySource(records));
    const burst = rows.filter((r) => r.principal === role('deploy-shop-prod'));
    expect(pick(burst, 'bin', 'action', 'count')).toEqual([
      ['2026-11-20T08:30:00.000Z', 'cloudtrail:StopLogging', 1],
      ['2026-11-20T08:30:00.000Z', 'iam:GetAccountAuthorizationDetails', 20],
      ['2026-11-20T08:30:00.000Z', 'iam:ListSecrets', 20],
      ['2026-11-20T08:30:00.000Z', 'iam:ListUsers', 20],
    ]);
  });

  it('draws a trend per principal in the table', async () => {
    const { rows } = await deniedQuery.run({ binMs: HOUR }, context, memorySource(records));
    const table = deniedQuery.table?.(rows, deniedQuery.columns, { binMs: HOUR }) ?? '';
    const lines = table.split('\n');
    expect(lines[0]).toMatch(
      /^PRINCIPAL\s+DENIALS\s+TREND \(1h bins from 2026-11-20T06:00:00.000Z to 2026-11-20T11:00:00.000Z\)$/,
    );
    // Most denials first; the stolen key's burst is all in the 08:00 bin.
    expect(lines[1]).toBe(`${role('security-auditor')}  109      ▇▇▆▇▇█`);
    expect(lines[2]).toBe(`${role('deploy-shop-prod')}  61       ▁▁█▁▁▁`);
  });
});

describe('query principal', () => {
  it('matches every session of a role by account and name, whatever the path given', async () => {
    const withPath = await principalQuery.run(
      { arn: `arn:aws:iam::${ACCOUNT}:role/ci/deploy-shop-prod` },
      context,
      memorySource(records),
    );
    const plain = await principalQuery.run({ arn: role('deploy-shop-prod') }, context, memorySource(records));
    expect(withPath.rows).toEqual(plain.rows.map((r) => ({ ...r })));
    const calls = records.filter((r) => {
      const identity = r.userIdentity as { sessionContext?: { sessionIssuer?: { arn?: string } } };
      return identity.sessionContext?.sessionIssuer?.arn === role('deploy-shop-prod');
    });
    expect(plain.rows.reduce((n, r) => n + Number(r.calls), 0)).toBe(calls.length);
    expect(plain.rows[0]).toEqual({
      principal: role('deploy-shop-prod'),
      action: 'iam:GetAccountAuthorizationDetails',
      calls: 20,
      denied: 20,
      errors: 0,
      regions: ['us-east-1'],
      sourceIps: ['203.0.113.50'],
      userAgents: ['python-requests/2.32'],
      firstSeen: '2026-11-20T08:35:02.000Z',
      lastSeen: '2026-11-20T08:36:56.000Z',
    });
    const ecs = plain.rows.find((r) => r.action === 'ecs:UpdateService');
    expect(ecs).toMatchObject({ calls: 9, sourceIps: ['cloudformation.amazonaws.com'] });
  });

  it('matches one session by its session ARN, and a user exactly', async () => {
    const agent = await principalQuery.run(
      { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ai-release-agent/agent-run` },
      context,
      memorySource(records),
    );
    expect(pick(agent.rows, 'action', 'calls')).toEqual(
      [
        ['ec2:TerminateInstances', 25],
        ['lambda:UpdateAlias', 30],
      ].sort((a, b) => Number(b[1]) - Number(a[1])),
    );
    const user = await principalQuery.run(
      { arn: `arn:aws:iam::${ACCOUNT}:user/legacy-deployer` },
      context,
      memorySource(records),
    );
    expect(pick(user.rows, 'action', 'calls', 'sourceIps')).toEqual([['s3:ListBuckets', 4, ['192.0.2.44']]]);
  });

  it('refuses something that is not an ARN', async () => {
    await expect(principalQuery.run({ arn: 'deploy-shop-prod' }, context, memorySource([]))).rejects.toThrow(
      QueryError,
    );
  });
});

describe('query oidc', () => {
  it('lists who assumed which role, with exact successes', async () => {
    const { rows } = await oidcQuery.run({}, context, memorySource(records));
    expect(pick(rows, 'role', 'subject', 'branch', 'successes', 'denials', 'sourceIps')).toEqual([
      [
        role('deploy-shop-prod'),
        'repo:acme/shop:ref:refs/heads/feature/poisoned-action',
        'feature/poisoned-action',
        1,
        0,
        1,
      ],
      [role('deploy-shop-prod'), 'repo:acme/shop:ref:refs/heads/main', 'main', 8, 0, 8],
      [role('deploy-shop-staging'), 'repo:acme/shop:pull_request', null, 12, 0, 12],
      [role('platform-iam'), 'repo:acme/platform:ref:refs/heads/main', 'main', 3, 0, 3],
    ]);
    expect(rows[1]).toMatchObject({
      provider: 'github',
      issuer: 'token.actions.githubusercontent.com',
      repository: 'acme/shop',
      firstSeen: '2026-11-20T06:10:00.000Z',
      lastSeen: '2026-11-20T11:25:00.000Z',
    });
  });
});

describe('query iam-writes', () => {
  it('lists IAM writes by pipeline roles, service pipelines first and flagged', async () => {
    const { rows } = await iamWritesQuery.run({}, context, memorySource(records));
    expect(pick(rows, 'pipeline', 'kind', 'action', 'outcome', 'count', 'flagged')).toEqual([
      ['shop-prod', 'service', 'iam:AttachRolePolicy', 'success', 1, true],
      ['platform', 'platform', 'iam:AttachRolePolicy', 'success', 3, false],
      ['platform', 'platform', 'iam:CreateRole', 'success', 3, false],
      ['platform', 'platform', 'iam:UpdateAssumeRolePolicy', 'success', 1, false],
    ]);
  });

  it('needs an inventory', async () => {
    await expect(iamWritesQuery.run({}, { config: testConfig() }, memorySource(records))).rejects.toThrow(
      /needs the pipeline inventory/,
    );
  });
});

describe('query keys', () => {
  it('lists long-lived keys in use, not console or session keys', async () => {
    const console = {
      ...apiCall(
        {
          time: Date.parse('2026-11-20T09:00:00Z'),
          eventId: 'console-1',
          account: ACCOUNT,
          region: 'us-east-1',
        },
        {
          identity: iamUserIdentity(ACCOUNT, 'dana', 'AKIACONSOLE000000001'),
          source: 'ec2.amazonaws.com',
          name: 'DescribeInstances',
          readOnly: true,
          sourceIp: '198.18.4.2',
          userAgent: 'AWS Internal',
        },
      ),
      sessionCredentialFromConsole: 'true',
    };
    const session = apiCall(
      {
        time: Date.parse('2026-11-20T09:00:00Z'),
        eventId: 'session-1',
        account: ACCOUNT,
        region: 'us-east-1',
      },
      {
        identity: roleIdentity({
          account: ACCOUNT,
          role: 'r',
          sessionName: 's',
          accessKeyId: 'ASIASESSION000000001',
        }),
        source: 's3.amazonaws.com',
        name: 'ListBuckets',
        readOnly: true,
        sourceIp: '198.18.4.3',
        userAgent: 'x',
      },
    );
    const { rows } = await keysQuery.run({}, context, memorySource([...records, console, session]));
    expect(rows).toEqual([
      {
        principal: `arn:aws:iam::${ACCOUNT}:user/legacy-deployer`,
        accessKeyId: 'AKIAIOSFODNN7LEGACY1',
        calls: 4,
        denied: 0,
        firstUsed: '2026-11-20T08:50:00.000Z',
        lastUsed: '2026-11-20T08:51:30.000Z',
        userAgents: ['aws-cli/2.22.0 md/Botocore#1.35.0 ua/2.0 os/linux#6.8'],
        sourceIps: ['192.0.2.44'],
      },
    ]);
  });
});
