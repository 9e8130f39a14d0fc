import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { iamGlobMatches } from '../../../detectors/oidc-trust-policy/iam-glob.ts';
import {
  analyzeTrustPolicy,
  type TrustPolicyOptions,
} from '../../../detectors/oidc-trust-policy/trust-policy.ts';

const GITHUB = 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com';
const GITLAB = 'arn:aws:iam::111122223333:oidc-provider/gitlab.com';
const EKS = 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789';
const SUB = 'token.actions.githubusercontent.com:sub';
const AUD = 'token.actions.githubusercontent.com:aud';
const PINNED_AUD = { StringEquals: { [AUD]: 'sts.amazonaws.com' } };

type Statement = Record<string, unknown>;

function statement(condition?: Record<string, unknown>, overrides: Statement = {}): Statement {
  return {
    Effect: 'Allow',
    Principal: { Federated: GITHUB },
    Action: 'sts:AssumeRoleWithWebIdentity',
    ...(condition === undefined ? {} : { Condition: condition }),
    ...overrides,
  };
}

function policy(...statements: Statement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** The problem kinds of a policy, worst first. */
function kinds(document: unknown, options?: TrustPolicyOptions): string[] {
  const analysis = analyzeTrustPolicy(document, options);
  if (!analysis) throw new Error('policy did not parse');
  return analysis.problems.map((problem) => problem.kind);
}

/** The problem kinds for one `sub` condition (with a pinned audience). */
function subKinds(operator: string, sub: string | string[], options?: TrustPolicyOptions): string[] {
  const condition: Record<string, Record<string, unknown>> = { StringEquals: { [AUD]: 'sts.amazonaws.com' } };
  condition[operator] = { ...condition[operator], [SUB]: sub };
  return kinds(policy(statement(condition)), options);
}

describe('analyzeTrustPolicy: which statements count', () => {
  it('is undefined for a malformed document and empty for a policy without CI trust', () => {
    expect(analyzeTrustPolicy('{not json')).toBeUndefined();
    const aws = policy({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::193672423079:root' },
      Action: 'sts:AssumeRole',
    });
    expect(analyzeTrustPolicy(aws)).toEqual({ statements: [], problems: [], worst: undefined });
  });

  it('ignores EKS IRSA, Cognito and other non-CI federated principals', () => {
    expect(kinds(policy(statement(undefined, { Principal: { Federated: EKS } })))).toEqual([]);
    const cognito = statement(undefined, { Principal: { Federated: 'cognito-identity.amazonaws.com' } });
    expect(kinds(policy(cognito))).toEqual([]);
  });

  it('ignores Deny statements and statements that do not grant AssumeRoleWithWebIdentity', () => {
    expect(kinds(policy(statement(undefined, { Effect: 'Deny' })))).toEqual([]);
    expect(kinds(policy(statement(undefined, { Action: 'sts:AssumeRole' })))).toEqual([]);
    expect(
      kinds(policy(statement(undefined, { Action: undefined, NotAction: 'sts:AssumeRoleWithWebIdentity' }))),
    ).toEqual([]);
  });

  it.each([
    ['an action list', ['sts:TagSession', 'sts:AssumeRoleWithWebIdentity']],
    ['sts:*', 'sts:*'],
    ['*', '*'],
    ['a glob', 'sts:AssumeRole*'],
    ['another case', 'STS:assumerolewithwebidentity'],
  ])('counts %s as granting web identity', (_label, action) => {
    expect(kinds(policy(statement(undefined, { Action: action })))).toContain('no-sub');
  });

  it('counts NotAction that does not exclude AssumeRoleWithWebIdentity', () => {
    expect(kinds(policy(statement(undefined, { Action: undefined, NotAction: 'iam:*' })))).toContain(
      'no-sub',
    );
  });

  it('reads a single statement object and an array of federated principals', () => {
    const single = JSON.stringify({ Version: '2012-10-17', Statement: statement() });
    expect(kinds(single)).toEqual(['no-sub', 'no-aud']);
    const analysis = analyzeTrustPolicy(
      policy(statement(undefined, { Principal: { Federated: [EKS, GITHUB] } })),
    );
    expect(analysis?.statements).toHaveLength(1);
    expect(analysis?.statements[0]).toMatchObject({
      provider: 'github',
      issuer: 'token.actions.githubusercontent.com',
    });
  });

  it('reports the statement index and sid', () => {
    const aws = {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: 'sts:AssumeRole',
    };
    const analysis = analyzeTrustPolicy(policy(aws, statement(PINNED_AUD, { Sid: 'GitHubDeploy' })));
    expect(analysis?.worst).toMatchObject({
      kind: 'no-sub',
      statement: 1,
      sid: 'GitHubDeploy',
      severity: 'critical',
    });
  });
});

describe('analyzeTrustPolicy: subject conditions', () => {
  it('flags a missing sub condition as critical (any GitHub repository), and a missing aud as medium', () => {
    const analysis = analyzeTrustPolicy(policy(statement()));
    expect(analysis?.problems.map((p) => [p.kind, p.severity])).toEqual([
      ['no-sub', 'critical'],
      ['no-aud', 'medium'],
    ]);
    expect(analysis?.worst?.message).toContain('any GitHub repository can assume the role');
  });

  it('accepts a specific sub with a pinned aud, in both subject formats', () => {
    expect(subKinds('StringEquals', 'repo:acme/deploy:environment:prod')).toEqual([]);
    expect(subKinds('StringLike', 'repo:acme/deploy:ref:refs/heads/main')).toEqual([]);
    expect(subKinds('StringEquals', 'repo:acme@1234/deploy@5678:ref:refs/heads/main')).toEqual([]);
    expect(subKinds('StringEqualsIgnoreCase', 'repo:acme/deploy:ref:refs/tags/v1.0.0')).toEqual([]);
  });

  it.each([
    ['*', 'any-owner'],
    ['repo:*', 'any-owner'],
    ['repo:acme*', 'any-owner'],
    ['repo:ac?me/deploy:ref:refs/heads/main', 'any-owner'],
    ['repo:*/deploy:ref:refs/heads/main', 'any-owner'],
    ['re*', 'any-owner'],
    ['repo:acme/*', 'wildcard-sub'],
    ['repo:acme/deploy*', 'wildcard-sub'],
    ['repo:acme/*:ref:refs/heads/main', 'wildcard-sub'],
    ['repo:acme@1234/*', 'wildcard-sub'],
    ['repo:acme/deploy:*', 'wildcard-sub'],
    ['repo:acme/deploy:*:ref:refs/heads/main', undefined],
    ['repo:acme/deploy:ref:refs/heads/*', undefined],
    ['repo:acme/deploy:ref:*', undefined],
    ['repo:acme/deploy:environment:*', undefined],
    ['repository_owner:acme:*', 'wildcard-sub'],
  ])('StringLike sub %s → %s', (sub, expected) => {
    expect(subKinds('StringLike', sub)).toEqual(expected === undefined ? [] : [expected]);
  });

  it('rates an owner wildcard critical and a repository or ref wildcard high', () => {
    const owner = analyzeTrustPolicy(policy(statement({ ...PINNED_AUD, StringLike: { [SUB]: 'repo:*' } })));
    const repo = analyzeTrustPolicy(
      policy(statement({ ...PINNED_AUD, StringLike: { [SUB]: 'repo:acme/*' } })),
    );
    expect(owner?.worst?.severity).toBe('critical');
    expect(repo?.worst).toMatchObject({ severity: 'high', values: ['repo:acme/*'] });
  });

  it('treats wildcards under StringEquals as literal (they match nothing: fail closed)', () => {
    expect(subKinds('StringEquals', 'repo:acme/*')).toEqual([]);
  });

  it('takes the widest value of a condition (values OR together) and names it', () => {
    const analysis = analyzeTrustPolicy(
      policy(
        statement({
          ...PINNED_AUD,
          StringLike: { [SUB]: ['repo:acme/deploy:ref:refs/heads/main', 'repo:acme/*'] },
        }),
      ),
    );
    expect(analysis?.problems).toEqual([
      expect.objectContaining({ kind: 'wildcard-sub', values: ['repo:acme/*'] }),
    ]);
  });

  it('takes the narrowest condition (conditions AND together)', () => {
    const both = {
      ...PINNED_AUD,
      StringLike: { [SUB]: 'repo:acme/deploy:ref:refs/heads/*' },
      'ForAnyValue:StringLike': { [SUB]: 'repo:*' },
    };
    expect(kinds(policy(statement(both)))).toEqual([]);
  });

  it('reads condition keys case-insensitively and honours IfExists and ForAnyValue variants', () => {
    const mixed = { StringEquals: { 'Token.Actions.GitHubUserContent.com:Aud': 'sts.amazonaws.com' } };
    expect(
      kinds(
        policy(
          statement({ ...mixed, StringLike: { 'TOKEN.actions.githubusercontent.com:SUB': 'repo:acme/d:*' } }),
        ),
      ),
    ).toEqual(['wildcard-sub']);
    expect(subKinds('StringLikeIfExists', 'repo:acme/deploy:ref:refs/heads/main')).toEqual([]);
    expect(subKinds('ForAnyValue:StringLike', 'repo:acme/*')).toEqual(['wildcard-sub']);
  });

  it('does not count negative operators as a restriction', () => {
    expect(subKinds('StringNotLike', 'repo:evil/*')).toEqual(['no-sub']);
    expect(kinds(policy(statement({ ...PINNED_AUD, Null: { [SUB]: 'false' } })))).toEqual(['no-sub']);
  });

  it('flags ForAllValues on sub or aud in an Allow statement', () => {
    expect(subKinds('ForAllValues:StringLike', 'repo:acme/deploy:ref:refs/heads/main')).toEqual([
      'for-all-values',
    ]);
    const aud = {
      'ForAllValues:StringEquals': { [AUD]: 'sts.amazonaws.com' },
      StringEquals: { [SUB]: 'repo:a/b:pull_request' },
    };
    const analysis = analyzeTrustPolicy(policy(statement(aud)));
    expect(analysis?.problems).toEqual([
      expect.objectContaining({
        kind: 'for-all-values',
        severity: 'high',
        values: ['ForAllValues:StringEquals'],
      }),
    ]);
  });

  it('flags an aud condition that is only a wildcard', () => {
    const condition = {
      StringLike: { [AUD]: '*' },
      StringEquals: { [SUB]: 'repo:acme/deploy:environment:prod' },
    };
    expect(kinds(policy(statement(condition)))).toEqual(['no-aud']);
  });
});

describe('analyzeTrustPolicy: STS repository claims (2026)', () => {
  it('accepts repository_id plus a pinned ref instead of sub', () => {
    const condition = {
      ...PINNED_AUD,
      StringEquals: {
        [AUD]: 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:repository_id': '953817223',
        'token.actions.githubusercontent.com:ref': 'refs/heads/main',
      },
    };
    expect(kinds(policy(statement(condition)))).toEqual([]);
  });

  it('rates a pinned repository without any ref restriction high, not critical', () => {
    const condition = {
      StringEquals: {
        [AUD]: 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:repository': 'acme/deploy',
      },
    };
    expect(kinds(policy(statement(condition)))).toEqual(['wildcard-sub']);
  });

  it('treats a pinned repository without a ref restriction as open to pull requests on a production role', () => {
    const condition = {
      StringEquals: {
        [AUD]: 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:repository': 'acme/deploy',
      },
    };
    expect(kinds(policy(statement(condition)), { prod: true })).toEqual([
      'pull-request-prod',
      'wildcard-sub',
    ]);
  });

  it('narrows a wide sub with a pinned repository, leaving the ref open', () => {
    const condition = {
      StringEquals: {
        [AUD]: 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:repository': 'acme/deploy',
      },
      StringLike: { [SUB]: 'repo:acme/*' },
    };
    const analysis = analyzeTrustPolicy(policy(statement(condition)));
    expect(analysis?.problems).toEqual([
      expect.objectContaining({ kind: 'wildcard-sub', message: expect.stringContaining('every branch') }),
    ]);
  });

  it('flags wildcards in repository claims', () => {
    const claim = (key: string, value: string) =>
      kinds(
        policy(
          statement({ ...PINNED_AUD, StringLike: { [`token.actions.githubusercontent.com:${key}`]: value } }),
        ),
      );
    expect(claim('repository', '*/deploy')).toEqual(['any-owner']);
    expect(claim('repository_id', '95*')).toEqual(['any-owner']);
    expect(claim('job_workflow_ref', 'acme/*')).toEqual(['wildcard-sub']);
    expect(claim('job_workflow_ref', 'acme/deploy/.github/workflows/*.yml@refs/heads/main')).toEqual([
      'wildcard-sub',
    ]);
  });

  it('does not count a ref or environment claim alone as a subject restriction', () => {
    const condition = {
      StringEquals: {
        [AUD]: 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:ref': 'refs/heads/main',
      },
    };
    expect(kinds(policy(statement(condition)))).toEqual(['no-sub']);
  });
});

describe('analyzeTrustPolicy: issuers', () => {
  it('keys conditions by the GitHub Enterprise issuer path', () => {
    const enterprise = `${GITHUB}/acme`;
    const condition = {
      StringEquals: {
        'token.actions.githubusercontent.com/acme:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com/acme:sub': 'repo:acme/deploy:ref:refs/heads/main',
      },
    };
    expect(kinds(policy(statement(condition, { Principal: { Federated: enterprise } })))).toEqual([]);
    // IAM evaluates `<issuer>:sub` for this provider, so a condition on the public key never applies.
    expect(
      kinds(
        policy(
          statement(
            { ...PINNED_AUD, StringEquals: { [SUB]: 'repo:a/b:ref:refs/heads/main' } },
            { Principal: { Federated: enterprise } },
          ),
        ),
      ),
    ).toEqual(['no-sub', 'no-aud']);
  });

  it('recognises the legacy vstoken issuer', () => {
    const legacy = 'arn:aws:iam::111122223333:oidc-provider/vstoken.actions.githubusercontent.com';
    expect(kinds(policy(statement(undefined, { Principal: { Federated: legacy } })))).toContain('no-sub');
  });

  it('analyzes gitlab.com project paths', () => {
    const gitlab = (sub: string) =>
      kinds(
        policy(
          statement(
            {
              StringEquals: { 'gitlab.com:aud': 'https://gitlab.com' },
              StringLike: { 'gitlab.com:sub': sub },
            },
            { Principal: { Federated: GITLAB } },
          ),
        ),
      );
    expect(gitlab('project_path:acme/shop:ref_type:branch:ref:main')).toEqual([]);
    expect(gitlab('project_path:acme/platform/shop:ref_type:branch:ref:main')).toEqual([]);
    expect(gitlab('project_path:acme/*')).toEqual(['wildcard-sub']);
    expect(gitlab('project_path:acme/platform/*:ref_type:branch:ref:main')).toEqual(['wildcard-sub']);
    expect(gitlab('project_path:acme/shop:*')).toEqual(['wildcard-sub']);
    expect(gitlab('project_path:acme/shop:ref_type:branch:ref:*')).toEqual([]);
    expect(gitlab('project_path:*')).toEqual(['any-owner']);
    expect(kinds(policy(statement(undefined, { Principal: { Federated: GITLAB } })))).toEqual([
      'no-sub',
      'no-aud',
    ]);
  });

  it('recognises a configured self-managed issuer only when configured', () => {
    const selfManaged = 'arn:aws:iam::111122223333:oidc-provider/gitlab.example.com';
    const document = policy(statement(undefined, { Principal: { Federated: selfManaged } }));
    expect(kinds(document)).toEqual([]);
    const analysis = analyzeTrustPolicy(document, {
      issuers: [{ issuer: 'https://gitlab.example.com/', provider: 'gitlab' }],
    });
    expect(analysis?.problems[0]).toMatchObject({ kind: 'no-sub', issuer: 'gitlab.example.com' });
    expect(analysis?.problems[0]?.message).toContain('any GitLab repository');
  });
});

describe('analyzeTrustPolicy: production roles', () => {
  const prod = { prod: true };

  it('flags pull_request subjects on a production role as critical', () => {
    expect(subKinds('StringEquals', 'repo:acme/deploy:pull_request', prod)).toEqual(['pull-request-prod']);
    expect(subKinds('StringEquals', 'repo:acme/deploy:pull_request')).toEqual([]);
    const analysis = analyzeTrustPolicy(
      policy(statement({ ...PINNED_AUD, StringEquals: { [SUB]: 'repo:acme/deploy:pull_request' } })),
      prod,
    );
    expect(analysis?.worst).toMatchObject({
      severity: 'critical',
      values: ['repo:acme/deploy:pull_request'],
    });
  });

  it('flags wildcards that admit pull_request on a production role', () => {
    expect(subKinds('StringLike', 'repo:acme/deploy:*', prod)).toEqual(['pull-request-prod', 'wildcard-sub']);
    expect(subKinds('StringLike', 'repo:acme/deploy:pull_*', prod)).toEqual(['pull-request-prod']);
    expect(subKinds('StringLike', 'repo:acme/deploy:ref:refs/heads/*', prod)).toEqual([]);
    expect(subKinds('StringEquals', 'repo:acme/deploy:environment:prod', prod)).toEqual([]);
  });

  it('lets an environment or ref claim exclude pull requests', () => {
    const claims = (key: string, value: string) => ({
      ...PINNED_AUD,
      StringLike: { [SUB]: 'repo:acme/deploy:*', [`token.actions.githubusercontent.com:${key}`]: value },
    });
    expect(kinds(policy(statement(claims('environment', 'prod'))), prod)).toEqual([]);
    expect(kinds(policy(statement(claims('ref', 'refs/heads/main'))), prod)).toEqual([]);
    expect(kinds(policy(statement(claims('ref', 'refs/*'))), prod)).toEqual([
      'pull-request-prod',
      'wildcard-sub',
    ]);
  });
});

describe('analyzeTrustPolicy: properties', () => {
  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        analyzeTrustPolicy(raw, { prod: true });
        analyzeTrustPolicy(
          JSON.stringify({
            Statement: [{ Effect: 'Allow', Principal: { Federated: GITHUB }, Action: '*', Condition: raw }],
          }),
        );
      }),
    );
  });

  it('reports critical for every sub pattern that admits a foreign owner', () => {
    const token = fc.constantFrom(
      'repo:',
      'acme',
      'deploy',
      '/',
      ':',
      '*',
      '?',
      'ref:refs/heads/main',
      'r',
      'e',
      '-',
    );
    const foreign = 'repo:zz-attacker/deploy:ref:refs/heads/main';
    fc.assert(
      fc.property(fc.array(token, { maxLength: 8 }), (tokens) => {
        const sub = tokens.join('');
        fc.pre(iamGlobMatches(sub, foreign));
        const analysis = analyzeTrustPolicy(policy(statement({ ...PINNED_AUD, StringLike: { [SUB]: sub } })));
        expect(analysis?.worst?.severity).toBe('critical');
      }),
      { numRuns: 2000 },
    );
  });

  it('reports every sub pattern that admits another repository of the owner', () => {
    const token = fc.constantFrom(
      'repo:acme/',
      'deploy',
      ':',
      '*',
      '?',
      'ref:refs/heads/main',
      'environment:prod',
      'd',
    );
    const sibling = 'repo:acme/zz-other:ref:refs/heads/main';
    fc.assert(
      fc.property(fc.array(token, { maxLength: 6 }), (tokens) => {
        const sub = tokens.join('');
        fc.pre(iamGlobMatches(sub, sibling));
        const analysis = analyzeTrustPolicy(policy(statement({ ...PINNED_AUD, StringLike: { [SUB]: sub } })));
        expect(analysis?.problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });
});
