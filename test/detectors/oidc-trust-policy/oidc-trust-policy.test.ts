import { describe, expect, it } from 'vitest';
import { oidcTrustPolicy } from '../../../detectors/oidc-trust-policy/oidc-trust-policy.ts';
import { evaluate, exampleConfig, testConfig } from '../../helpers/config.ts';
import { corpusRecords, derivedEvent, derivedRecord, normalized, variant } from '../../helpers/records.ts';

const config = exampleConfig();

describe('oidc-trust-policy: broad CI trust', () => {
  it('is critical for a GitHub trust without a sub condition (CreateRole)', () => {
    const finding = evaluate(oidcTrustPolicy, derivedEvent('createrole-github-oidc-no-sub'), config);
    expect(finding).toMatchObject({
      severity: 'critical',
      principal: 'arn:aws:iam::609418236337:role/stratus-red-team-malicious-iam-role',
    });
    expect(finding?.summary).toBe(
      'CreateRole stratus-red-team-malicious-iam-role: no token.actions.githubusercontent.com:sub condition: any GitHub repository can assume the role, by arn:aws:iam::609418236337:user/christophe [success]',
    );
    expect(finding?.details).toMatchObject({
      outcome: 'success',
      accessKeyId: 'AKIA0W5KI69TY8X86BGT',
      problems: [expect.objectContaining({ kind: 'no-sub', statement: 0, severity: 'critical' })],
    });
  });

  it('falls back to the URL-encoded policy CreateRole echoes in its response', () => {
    const event = variant(derivedRecord('createrole-github-oidc-no-sub'), (record) => {
      delete record.requestParameters.assumeRolePolicyDocument;
    });
    expect(evaluate(oidcTrustPolicy, event, config)?.severity).toBe('critical');
  });

  it('is high for a wildcard over the repository (UpdateAssumeRolePolicy), naming the role from the record', () => {
    const finding = evaluate(
      oidcTrustPolicy,
      derivedEvent('updateassumerolepolicy-github-oidc-wildcard-sub'),
      config,
    );
    expect(finding).toMatchObject({
      severity: 'high',
      principal: 'arn:aws:iam::000000000:role/cloudtrail-role',
    });
    expect(finding?.summary).toContain(
      'UpdateAssumeRolePolicy cloudtrail-role: the subject pattern admits every repository',
    );
    expect(finding?.summary).toContain('(repo:acme/*)');
  });

  it('reads URL-encoded documents and lists every problem with its statement', () => {
    const finding = evaluate(
      oidcTrustPolicy,
      derivedEvent('updateassumerolepolicy-github-oidc-urlencoded-forallvalues'),
      config,
    );
    expect(finding?.severity).toBe('high');
    const problems = finding?.details?.problems as { kind: string; statement: number }[];
    expect(problems.map((problem) => [problem.kind, problem.statement])).toEqual([
      ['wildcard-sub', 0],
      ['for-all-values', 0],
      ['for-all-values', 0],
    ]);
  });

  it('is high for a GitLab trust open to every project of a group', () => {
    const finding = evaluate(
      oidcTrustPolicy,
      derivedEvent('updateassumerolepolicy-gitlab-oidc-wildcard-project'),
      config,
    );
    expect(finding).toMatchObject({
      severity: 'high',
      details: { statements: [expect.objectContaining({ provider: 'gitlab' })] },
    });
  });

  it('is critical for pull_request subjects on a production pipeline role, matched by name whatever the path', () => {
    const event = derivedEvent('createrole-github-oidc-pull-request-prod');
    const finding = evaluate(oidcTrustPolicy, event, config);
    expect(finding).toMatchObject({
      severity: 'critical',
      principal: 'arn:aws:iam::609418236337:role/ci/deploy-prod',
      pipeline: 'deploy',
      environment: 'prod',
      details: { prodRole: true },
    });
    expect(finding?.summary).toContain(
      'pull_request subjects may assume a production pipeline role (repo:acme/deploy:pull_request)',
    );
    // Without the inventory the same policy is fine: the role is not known to be production.
    expect(evaluate(oidcTrustPolicy, event, testConfig())).toBeUndefined();
  });

  it('recognises a self-managed GitLab issuer configured in the inventory', () => {
    const event = variant(derivedRecord('updateassumerolepolicy-github-oidc-pinned'), (record) => {
      record.requestParameters.policyDocument = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: 'arn:aws:iam::000000000:oidc-provider/gitlab.example.com' },
            Action: 'sts:AssumeRoleWithWebIdentity',
          },
        ],
      });
    });
    expect(evaluate(oidcTrustPolicy, event, config)).toBeUndefined();
    const pipeline = {
      name: 'self-managed',
      role: 'arn:aws:iam::000000000:role/other',
      kind: 'service',
      oidc: { provider: 'gitlab', issuer: 'https://gitlab.example.com', subjects: [] },
    };
    expect(evaluate(oidcTrustPolicy, event, testConfig({ pipelines: [pipeline] }))?.severity).toBe(
      'critical',
    );
  });

  it('reports a failed change (EntityAlreadyExists) as medium: intent, but nothing applied', () => {
    const event = variant(derivedRecord('createrole-github-oidc-no-sub'), (record) => {
      record.errorCode = 'EntityAlreadyExists';
      record.errorMessage = 'Role with name stratus-red-team-malicious-iam-role already exists.';
      record.responseElements = null;
    });
    const finding = evaluate(oidcTrustPolicy, event, config);
    expect(finding?.severity).toBe('medium');
    expect(finding?.summary).toContain('[error EntityAlreadyExists: not applied]');
  });
});

describe('oidc-trust-policy: not reported', () => {
  it('accepts a specific sub with an audience', () => {
    expect(
      evaluate(oidcTrustPolicy, derivedEvent('updateassumerolepolicy-github-oidc-pinned'), config),
    ).toBeUndefined();
  });

  it('skips a denied change: it changed nothing', () => {
    expect(
      evaluate(oidcTrustPolicy, derivedEvent('updateassumerolepolicy-github-oidc-denied'), config),
    ).toBeUndefined();
  });

  it('ignores malformed documents without throwing', () => {
    for (const document of ['{"Version": "2012-10-17", "Statement": [', '%7B%22Vers', 42, null]) {
      const event = variant(derivedRecord('updateassumerolepolicy-github-oidc-pinned'), (record) => {
        record.requestParameters.policyDocument = document;
      });
      expect(evaluate(oidcTrustPolicy, event, config)).toBeUndefined();
    }
  });

  it.each([
    ['iam-write/stratus-createrole-attachrolepolicy-external-trust-iamuser.json'],
    ['iam-write/stratus-updateassumerolepolicy-backdoor-iamuser.json'],
    ['iam-write/elastic-grimoire-updateassumerolepolicy-iamuser.json'],
    ['iam-write/panther-updateassumerolepolicy-wildcard-principal-assumedrole.json'],
    ['iam-write/awsdocs-createuser-addusertogroup-createrole-2014.json'],
  ])('finds no CI trust in %s (other detectors own AWS-principal backdoors)', (file) => {
    for (const record of corpusRecords(file))
      expect(evaluate(oidcTrustPolicy, normalized(record), config)).toBeUndefined();
  });

  it('declares the two IAM write events it needs', () => {
    expect(oidcTrustPolicy.needs).toEqual([
      { source: 'iam.amazonaws.com', names: ['CreateRole', 'UpdateAssumeRolePolicy'] },
    ]);
  });
});
