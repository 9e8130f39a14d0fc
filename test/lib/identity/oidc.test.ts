import { describe, expect, it } from 'vitest';
import { federatedProviderOf, resolveOidcAssumption } from '../../../lib/identity/oidc.ts';
import { corpusRecord } from '../../helpers/records.ts';

const CLOUD_SNITCH = 'oidc/assume-role-with-web-identity-github-success-cloud-snitch.json';

describe('resolveOidcAssumption', () => {
  it('cloud-snitch GitHub success', () => {
    const roleArn =
      'arn:aws:iam::774305579662:role/cloud-snitch-github-actio-GithubActionsRoleF5CC769F-MoeCHSu77MYt';
    expect(resolveOidcAssumption(corpusRecord(CLOUD_SNITCH))).toEqual({
      provider: 'github',
      issuer: 'token.actions.githubusercontent.com',
      providerArn: 'arn:aws:iam::774305579662:oidc-provider/token.actions.githubusercontent.com',
      subject: 'repo:ccbrown/cloud-snitch:ref:refs/heads/main',
      audience: 'sts.amazonaws.com',
      role: {
        arn: roleArn,
        canonicalArn: roleArn,
        account: '774305579662',
        name: 'cloud-snitch-github-actio-GithubActionsRoleF5CC769F-MoeCHSu77MYt',
      },
      claims: {
        owner: 'ccbrown',
        repository: 'cloud-snitch',
        repositoryPath: 'ccbrown/cloud-snitch',
        ref: 'refs/heads/main',
        branch: 'main',
      },
      issuedAccessKeyId: 'ASIA3ISBVQKHJOCMRQJH',
      expiresAt: Date.UTC(2025, 3, 16, 3, 46, 56),
      sessionName: 'GitHubActions',
    });
  });

  it('2021 GitHub record: URL audience (with its own colon) is split correctly', () => {
    const oidc = resolveOidcAssumption(
      corpusRecord('oidc/assume-role-with-web-identity-github-legacy-vstoken-issuer-2021.json'),
    );
    expect(oidc).toMatchObject({
      provider: 'github',
      audience: 'https://github.com/aidansteele',
      subject: 'repo:aidansteele/aws-federation-github-actions:ref:refs/heads/main',
      claims: { owner: 'aidansteele', repository: 'aws-federation-github-actions', branch: 'main' },
      issuedAccessKeyId: 'ASIAY29999OMG3MKNAG',
      expiresAt: Date.UTC(2021, 8, 15, 4, 0, 36),
    });
  });

  it('denied call with responseElements null and no roleArn: subject and audience from principalId, role from resources', () => {
    const record = structuredClone(corpusRecord(CLOUD_SNITCH));
    record.errorCode = 'AccessDenied';
    record.responseElements = null;
    record.requestParameters = { roleSessionName: 'GitHubActions' };
    const identity = record.userIdentity as Record<string, unknown>;
    delete identity.userName;
    delete identity.identityProvider;
    const oidc = resolveOidcAssumption(record);
    expect(oidc).toMatchObject({
      provider: 'github',
      issuer: 'token.actions.githubusercontent.com',
      providerArn: 'arn:aws:iam::774305579662:oidc-provider/token.actions.githubusercontent.com',
      subject: 'repo:ccbrown/cloud-snitch:ref:refs/heads/main',
      audience: 'sts.amazonaws.com',
      role: { name: 'cloud-snitch-github-actio-GithubActionsRoleF5CC769F-MoeCHSu77MYt' },
      claims: { branch: 'main' },
      sessionName: 'GitHubActions',
    });
    expect(oidc.issuedAccessKeyId).toBeUndefined();
    expect(oidc.expiresAt).toBeUndefined();
    delete record.resources;
    expect(resolveOidcAssumption(record).role).toBeUndefined();
  });

  it('URL audience from the principalId alone', () => {
    const record = structuredClone(
      corpusRecord('oidc/assume-role-with-web-identity-github-legacy-vstoken-issuer-2021.json'),
    );
    record.responseElements = null;
    delete (record.userIdentity as Record<string, unknown>).userName;
    expect(resolveOidcAssumption(record)).toMatchObject({
      audience: 'https://github.com/aidansteele',
      subject: 'repo:aidansteele/aws-federation-github-actions:ref:refs/heads/main',
    });
  });

  it('Cognito-mediated GitHub flow: bare-host provider, not GitHub', () => {
    const oidc = resolveOidcAssumption(
      corpusRecord('oidc/assume-role-with-web-identity-github-via-cognito-session-tags.json'),
    );
    expect(oidc).toMatchObject({
      provider: 'other',
      issuer: 'cognito-identity.amazonaws.com',
      providerArn: 'cognito-identity.amazonaws.com',
      subject: 'ap-southeast-2:f33550b0-d103-4ff1-9319-1745fea988da',
      audience: 'ap-southeast-2:14deebd0-19f8-4295-a55e-8b36e60b4926',
      claims: {},
    });
  });

  it('Buildkite fragment: other provider, subject kept verbatim', () => {
    const oidc = resolveOidcAssumption(
      corpusRecord('oidc/assume-role-with-web-identity-buildkite-docs-fragment.json'),
    );
    expect(oidc).toMatchObject({
      provider: 'other',
      issuer: 'agent.buildkite.com',
      audience: 'sts.amazonaws.com',
      subject:
        'organization:example-org:pipeline:example-pipeline:ref:refs/heads/main:commit:1da177e4c3f41524e886b7f1b8a0c1fc7321cac2:step:',
      sessionName: 'buildkite-job-01951944-87df-428f-ad92-90709ee78a59',
    });
  });

  it('a GitLab assumption (synthetic: no public CloudTrail record exists)', () => {
    const providerArn = 'arn:aws:iam::111122223333:oidc-provider/gitlab.com';
    const subject = 'project_path:mygroup/myproject:ref_type:branch:ref:main';
    const oidc = resolveOidcAssumption({
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRoleWithWebIdentity',
      userIdentity: {
        type: 'WebIdentityUser',
        principalId: `${providerArn}:https://gitlab.com:${subject}`,
        userName: subject,
        identityProvider: providerArn,
      },
      requestParameters: {
        roleArn: 'arn:aws:iam::111122223333:role/ci/gitlab-deploy',
        roleSessionName: 'GitLab',
      },
      responseElements: null,
    });
    expect(oidc).toMatchObject({
      provider: 'gitlab',
      issuer: 'gitlab.com',
      audience: 'https://gitlab.com',
      subject,
      role: {
        arn: 'arn:aws:iam::111122223333:role/ci/gitlab-deploy',
        canonicalArn: 'arn:aws:iam::111122223333:role/gitlab-deploy',
      },
      claims: { owner: 'mygroup', repository: 'myproject', branch: 'main' },
    });
  });

  it('passes configured issuers through', () => {
    const record = structuredClone(corpusRecord(CLOUD_SNITCH));
    const providerArn = 'arn:aws:iam::774305579662:oidc-provider/gitlab.example.com';
    (record.userIdentity as Record<string, unknown>).identityProvider = providerArn;
    (record.responseElements as Record<string, unknown>).provider = providerArn;
    expect(resolveOidcAssumption(record).provider).toBe('other');
    expect(
      resolveOidcAssumption(record, [{ issuer: 'gitlab.example.com', provider: 'gitlab' }]).provider,
    ).toBe('gitlab');
  });

  it('an empty record yields an empty assumption', () => {
    expect(resolveOidcAssumption({})).toEqual({
      provider: 'other',
      issuer: undefined,
      providerArn: undefined,
      subject: undefined,
      audience: undefined,
      role: undefined,
      claims: {},
      issuedAccessKeyId: undefined,
      expiresAt: undefined,
      sessionName: undefined,
    });
  });
});

describe('federatedProviderOf', () => {
  it('reads webIdFederationData.federatedProvider; {} and absence are undefined', () => {
    const file = 'oidc/later-calls-with-webidfederationdata-eks-irsa-and-ec2-contrast.json';
    expect(federatedProviderOf(corpusRecord(file, 0).userIdentity)).toBe(
      'arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLEFA1C58F08CDB049167EXAMPLE',
    );
    expect(federatedProviderOf(corpusRecord(file, 2).userIdentity)).toBeUndefined();
    expect(
      federatedProviderOf(corpusRecord('guardrail/stratus-cloudtrail-stoplogging-iamuser.json').userIdentity),
    ).toBe(undefined);
    expect(
      federatedProviderOf({ sessionContext: { webIdFederationData: { federatedProvider: '' } } }),
    ).toBeUndefined();
    expect(federatedProviderOf(null)).toBeUndefined();
  });
});
