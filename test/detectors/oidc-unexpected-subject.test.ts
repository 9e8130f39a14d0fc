import { describe, expect, it } from 'vitest';
import { oidcUnexpectedSubject } from '../../detectors/oidc-unexpected-subject.ts';
import { EXAMPLE_PIPELINES, evaluate, exampleConfig, testConfig } from '../helpers/config.ts';
import { corpusEvent, corpusRecords, derivedEvent, derivedRecord, variant } from '../helpers/records.ts';

const SNITCH_FILE = 'oidc/assume-role-with-web-identity-github-success-cloud-snitch.json';
const SNITCH = corpusRecords(SNITCH_FILE)[0] ?? {};
const SNITCH_ROLE =
  'arn:aws:iam::774305579662:role/cloud-snitch-github-actio-GithubActionsRoleF5CC769F-MoeCHSu77MYt';
const PROVIDER = 'arn:aws:iam::774305579662:oidc-provider/token.actions.githubusercontent.com';

/** The example inventory with the cloud-snitch pipeline's subject list replaced. */
function withSnitchSubjects(subjects: string[] | undefined) {
  const [snitch, ...rest] = EXAMPLE_PIPELINES;
  const oidc = subjects === undefined ? undefined : { provider: 'github', subjects };
  return testConfig({ pipelines: [{ ...snitch, oidc }, ...rest] });
}

/** The cloud-snitch record with another subject (and, optionally, another role). */
function snitchAs(subject: string, roleArn?: string) {
  return variant(SNITCH, (record) => {
    record.userIdentity.userName = subject;
    record.userIdentity.principalId = `${PROVIDER}:sts.amazonaws.com:${subject}`;
    record.responseElements.subjectFromWebIdentityToken = subject;
    if (roleArn) record.requestParameters.roleArn = roleArn;
    if (roleArn) record.resources[0].ARN = roleArn;
  });
}

describe('oidc-unexpected-subject: successful assumptions', () => {
  it('stays quiet for an allowed subject (the real cloud-snitch main-branch record)', () => {
    expect(evaluate(oidcUnexpectedSubject, corpusEvent(SNITCH_FILE), exampleConfig())).toBeUndefined();
  });

  it('is critical when a subject outside the pipeline list got credentials: the trust policy is too broad', () => {
    const config = withSnitchSubjects(['repo:ccbrown/cloud-snitch:environment:prod']);
    const finding = evaluate(oidcUnexpectedSubject, corpusEvent(SNITCH_FILE), config);
    expect(finding).toMatchObject({
      severity: 'critical',
      principal: SNITCH_ROLE,
      subject: 'repo:ccbrown/cloud-snitch:ref:refs/heads/main',
      pipeline: 'cloud-snitch',
      environment: 'prod',
    });
    expect(finding?.summary).toContain('repo:ccbrown/cloud-snitch:ref:refs/heads/main');
    expect(finding?.summary).toContain('cloud-snitch-github-actio-GithubActionsRoleF5CC769F-MoeCHSu77MYt');
    expect(finding?.summary).toContain('[success]');
    expect(finding?.details).toMatchObject({
      claims: { repository: 'ccbrown/cloud-snitch', branch: 'main', pullRequest: false },
      allowedSubjects: ['repo:ccbrown/cloud-snitch:environment:prod'],
      outcome: 'success',
      sourceIp: '52.154.133.36',
      userAgent: expect.stringContaining('configure-aws-credentials-for-github-actions'),
      issuedAccessKeyId: 'ASIA3ISBVQKHJOCMRQJH',
    });
  });

  it('is critical for a pull_request subject getting production credentials, even with no subject list', () => {
    const event = derivedEvent('github-oidc-pull-request-success');
    for (const config of [exampleConfig(), withSnitchSubjects(undefined), withSnitchSubjects(['*'])]) {
      const finding = evaluate(oidcUnexpectedSubject, event, config);
      expect(finding).toMatchObject({
        severity: 'critical',
        subject: 'repo:ccbrown/cloud-snitch:pull_request',
      });
      expect(finding?.details).toMatchObject({ claims: { pullRequest: true } });
    }
  });

  it('lets a pull_request subject into a non-production pipeline that allows it', () => {
    const staging = 'arn:aws:iam::774305579662:role/api-deploy-staging';
    expect(
      evaluate(oidcUnexpectedSubject, snitchAs('repo:ccbrown/api:pull_request', staging), exampleConfig()),
    ).toBeUndefined();
  });

  it('matches immutable subjects only against patterns written for them', () => {
    const event = derivedEvent('github-oidc-immutable-subject-success');
    expect(evaluate(oidcUnexpectedSubject, event, exampleConfig())?.severity).toBe('critical');
    const config = withSnitchSubjects(['repo:ccbrown@4217953/cloud-snitch@953817223:ref:refs/heads/main']);
    expect(evaluate(oidcUnexpectedSubject, event, config)).toBeUndefined();
  });

  it('reports a CI role missing from a non-empty inventory as medium (drift), and nothing with no inventory', () => {
    const legacy = corpusEvent('oidc/assume-role-with-web-identity-github-legacy-vstoken-issuer-2021.json');
    const finding = evaluate(oidcUnexpectedSubject, legacy, exampleConfig());
    expect(finding).toMatchObject({
      severity: 'medium',
      principal: 'arn:aws:iam::0123456789012:role/ExampleGithubRole',
    });
    expect(finding?.pipeline).toBeUndefined();
    expect(evaluate(oidcUnexpectedSubject, legacy, testConfig())).toBeUndefined();
    expect(evaluate(oidcUnexpectedSubject, corpusEvent(SNITCH_FILE), testConfig())).toBeUndefined();
  });

  it('judges GitLab subjects', () => {
    expect(
      evaluate(oidcUnexpectedSubject, derivedEvent('gitlab-oidc-success'), exampleConfig()),
    ).toBeUndefined();
    const foreign = variant(derivedRecord('gitlab-oidc-success'), (record) => {
      record.userIdentity.userName = 'project_path:evil/shop:ref_type:branch:ref:main';
      record.responseElements.subjectFromWebIdentityToken = 'project_path:evil/shop:ref_type:branch:ref:main';
    });
    const finding = evaluate(oidcUnexpectedSubject, foreign, exampleConfig());
    expect(finding).toMatchObject({
      severity: 'critical',
      pipeline: 'shop',
      principal: 'arn:aws:iam::774305579662:role/gitlab-deploy-prod',
    });
    expect(finding?.details).toMatchObject({
      provider: 'gitlab',
      claims: { repository: 'evil/shop', branch: 'main' },
    });
  });

  it('recognises a configured GHES issuer that the normalizer cannot know', () => {
    const ghes = 'arn:aws:iam::774305579662:oidc-provider/ghes.example.com/_services/token';
    const event = variant(SNITCH, (record) => {
      record.userIdentity.identityProvider = ghes;
      record.userIdentity.principalId = `${ghes}:sts.amazonaws.com:repo:ccbrown/cloud-snitch:ref:refs/heads/main`;
      record.responseElements.provider = ghes;
    });
    expect(evaluate(oidcUnexpectedSubject, event, testConfig())).toBeUndefined();
    const [snitch] = EXAMPLE_PIPELINES;
    const oidc = {
      provider: 'github',
      issuer: 'https://ghes.example.com/_services/token/',
      subjects: ['repo:ccbrown/cloud-snitch:environment:prod'],
    };
    const config = testConfig({ pipelines: [{ ...snitch, oidc }] });
    expect(evaluate(oidcUnexpectedSubject, event, config)).toMatchObject({
      severity: 'critical',
      pipeline: 'cloud-snitch',
    });
  });
});

describe('oidc-unexpected-subject: failed assumptions', () => {
  it('is high for a denied foreign subject on an inventoried role (probing)', () => {
    const finding = evaluate(
      oidcUnexpectedSubject,
      derivedEvent('github-oidc-denied-foreign-repo'),
      exampleConfig(),
    );
    expect(finding).toMatchObject({ severity: 'high', principal: SNITCH_ROLE, pipeline: 'cloud-snitch' });
    expect(finding?.summary).toContain('[denied AccessDenied]');
    expect(finding?.details).toMatchObject({
      outcome: 'denied',
      errorCode: 'AccessDenied',
      claims: { repository: 'attacker/cloud-snitch' },
    });
  });

  it('names the identity provider when a denied record lacks the role', () => {
    const finding = evaluate(
      oidcUnexpectedSubject,
      derivedEvent('github-oidc-denied-no-role-arn'),
      exampleConfig(),
    );
    expect(finding).toMatchObject({
      severity: 'high',
      principal: PROVIDER,
      subject: 'repo:attacker/cloud-snitch:ref:refs/heads/main',
    });
    expect(finding?.pipeline).toBeUndefined();
    // Every GitHub subject list of the inventory was consulted.
    expect(finding?.details?.allowedSubjects).toEqual(
      expect.arrayContaining([
        'repo:ccbrown/cloud-snitch:ref:refs/heads/main',
        'repo:ccbrown/infra:ref:refs/heads/main',
      ]),
    );
  });

  it('stays quiet for a denied subject some pipeline of the provider allows (a misconfiguration, not a probe)', () => {
    const event = variant(derivedRecord('github-oidc-denied-no-role-arn'), (record) => {
      record.userIdentity.userName = 'repo:ccbrown/api:pull_request';
      record.userIdentity.principalId = `${PROVIDER}:sts.amazonaws.com:repo:ccbrown/api:pull_request`;
    });
    expect(evaluate(oidcUnexpectedSubject, event, exampleConfig())).toBeUndefined();
  });

  it('is medium (a probe to look at) when there is no subject list to judge by, e.g. an empty inventory', () => {
    const event = derivedEvent('github-oidc-denied-no-role-arn');
    expect(evaluate(oidcUnexpectedSubject, event, testConfig())?.severity).toBe('medium');
    const gitlabOnly = testConfig({
      pipelines: EXAMPLE_PIPELINES.filter((p) => p.oidc?.provider === 'gitlab'),
    });
    expect(evaluate(oidcUnexpectedSubject, event, gitlabOnly)?.severity).toBe('medium');
    expect(
      evaluate(
        oidcUnexpectedSubject,
        derivedEvent('github-oidc-denied-foreign-repo'),
        withSnitchSubjects(undefined),
      )?.severity,
    ).toBe('medium');
  });

  it('caps a token that failed validation (InvalidIdentityToken) at medium: its claims are unproven', () => {
    const event = variant(derivedRecord('github-oidc-denied-foreign-repo'), (record) => {
      record.errorCode = 'InvalidIdentityToken';
      record.errorMessage = "Couldn't retrieve verification key from your identity provider";
    });
    expect(evaluate(oidcUnexpectedSubject, event, exampleConfig())).toMatchObject({
      severity: 'medium',
      details: { outcome: 'error' },
    });
  });
});

describe('oidc-unexpected-subject: not CI', () => {
  it.each([
    ['oidc/assume-role-with-web-identity-failed-eks-irsa-accessdenied.json', 0],
    ['oidc/assume-role-with-web-identity-github-via-cognito-session-tags.json', 0],
    ['oidc/assume-role-with-web-identity-generic-oidc-awsdocs.json', 0],
    ['oidc/later-calls-with-webidfederationdata-eks-irsa-and-ec2-contrast.json', 0],
    ['oidc/later-calls-with-webidfederationdata-eks-irsa-and-ec2-contrast.json', 1],
  ])('ignores %s #%i with any inventory', (file, index) => {
    const event = corpusEvent(file, index);
    expect(evaluate(oidcUnexpectedSubject, event, testConfig())).toBeUndefined();
    expect(evaluate(oidcUnexpectedSubject, event, exampleConfig())).toBeUndefined();
  });

  it('declares the read-only STS event it needs', () => {
    expect(oidcUnexpectedSubject.needs).toEqual([
      { source: 'sts.amazonaws.com', names: ['AssumeRoleWithWebIdentity'], readOnly: true },
    ]);
  });
});
