import { describe, expect, it } from 'vitest';
import { observationFromRow, parseInsightsTime } from '../../../lib/queries/insights-record.ts';

const row = (fields: Record<string, string>) =>
  Object.entries(fields).map(([field, value]) => ({ field, value }));

describe('parseInsightsTime', () => {
  it('reads @timestamp as Insights returns it (UTC), ISO times and epoch ms', () => {
    expect(parseInsightsTime('2026-11-20 06:10:00.000')).toBe(Date.parse('2026-11-20T06:10:00Z'));
    expect(parseInsightsTime('2026-11-20 06:10:05')).toBe(Date.parse('2026-11-20T06:10:05Z'));
    expect(parseInsightsTime('2026-11-20T06:10:00Z')).toBe(Date.parse('2026-11-20T06:10:00Z'));
    expect(parseInsightsTime('1795155000000')).toBe(1795155000000);
    expect(parseInsightsTime('yesterday')).toBeUndefined();
    expect(parseInsightsTime(undefined)).toBeUndefined();
  });
});

describe('observationFromRow', () => {
  it('rebuilds a stats group into the event the normalizer would have made, with its count and times', () => {
    const result = observationFromRow(
      row({
        'bin(1h)': '2026-11-20 08:00:00.000',
        eventSource: 'iam.amazonaws.com',
        eventName: 'ListUsers',
        errorCode: 'AccessDenied',
        'userIdentity.type': 'AssumedRole',
        'userIdentity.arn': 'arn:aws:sts::111122223333:assumed-role/deploy/GitHubActions',
        'userIdentity.sessionContext.sessionIssuer.type': 'Role',
        'userIdentity.sessionContext.sessionIssuer.arn': 'arn:aws:iam::111122223333:role/ci/deploy',
        count: '20',
        first: '2026-11-20 08:35:00.000',
        last: '2026-11-20 08:36:54.000',
      }),
      'groups',
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { event, count, first, last } = result.observation;
    expect(count).toBe(20);
    expect(first).toBe(Date.parse('2026-11-20T08:35:00Z'));
    expect(last).toBe(Date.parse('2026-11-20T08:36:54Z'));
    expect(event.time).toBe(first);
    expect(event.outcome).toBe('denied');
    expect(event.action).toBe('iam:ListUsers');
    expect(event.actor.key).toBe('arn:aws:iam::111122223333:role/ci/deploy');
    expect(event.actor.role?.canonicalArn).toBe('arn:aws:iam::111122223333:role/deploy');
  });

  it('rebuilds arrays from numeric path segments (resources.0.ARN), so a denied assumption still names its role', () => {
    const result = observationFromRow(
      row({
        eventID: 'e1',
        eventTime: '2026-11-20T08:30:00Z',
        eventSource: 'sts.amazonaws.com',
        eventName: 'AssumeRoleWithWebIdentity',
        'userIdentity.type': 'WebIdentityUser',
        'userIdentity.userName': 'repo:acme/shop:ref:refs/heads/main',
        'userIdentity.identityProvider': 'arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com',
        'resources.0.type': 'AWS::IAM::Role',
        'resources.0.ARN': 'arn:aws:iam::1:role/deploy',
      }),
      'events',
    );
    expect(result.ok && result.observation.event.oidc).toMatchObject({
      provider: 'github',
      subject: 'repo:acme/shop:ref:refs/heads/main',
      role: { canonicalArn: 'arn:aws:iam::1:role/deploy' },
    });
    expect(result.ok && result.observation.event.id).toBe('e1');
  });

  it('never writes through a prototype key', () => {
    const result = observationFromRow(
      row({
        eventTime: '2026-11-20T08:30:00Z',
        eventSource: 's3.amazonaws.com',
        eventName: 'ListBuckets',
        '__proto__.polluted': 'yes',
        'userIdentity.constructor.prototype.polluted': 'yes',
      }),
      'events',
    );
    expect(result.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('says why a row cannot be used', () => {
    expect(
      observationFromRow(
        row({
          eventSource: 's3',
          eventName: 'x',
          first: '2026-11-20 08:00:00.000',
          last: '2026-11-20 08:00:00.000',
        }),
        'groups',
      ),
    ).toEqual({
      ok: false,
      reason: 'result row without a count',
    });
    expect(observationFromRow(row({ eventSource: 's3', eventName: 'x', count: '3' }), 'groups')).toEqual({
      ok: false,
      reason: 'result row without times',
    });
    expect(observationFromRow(row({ eventSource: 's3.amazonaws.com' }), 'events')).toEqual({
      ok: false,
      reason: 'missing eventTime',
    });
  });
});
