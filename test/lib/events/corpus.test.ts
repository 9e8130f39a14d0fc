import { describe, expect, it } from 'vitest';
import { normalizeRecord } from '../../../lib/events/normalize.ts';
import { corpusEvent, corpusFiles, corpusRecords } from '../../helpers/records.ts';

const INSIGHTS = 'mutation-burst/awsdocs-insights-apicallrateinsight-start-end.json';
/** The published fragments without eventTime (MANIFEST: FRAGMENT / ABRIDGED). */
const FRAGMENTS = [
  'oidc/assume-role-with-web-identity-github-template-datadog-securitylabs.json',
  'oidc/assume-role-with-web-identity-failed-eks-abridged-repost.json',
];

describe('the whole corpus', () => {
  const files = corpusFiles();

  it('holds the 150 records in 83 files that MANIFEST.md lists', () => {
    expect(files).toHaveLength(83);
    expect(files.reduce((sum, file) => sum + corpusRecords(file).length, 0)).toBe(150);
  });

  it.each(files)(
    '%s: every record normalizes without throwing, and only the known ones are rejected',
    (file) => {
      for (const [index, record] of corpusRecords(file).entries()) {
        const result = normalizeRecord(record);
        if (file === INSIGHTS) {
          expect(result).toEqual({ ok: false, reason: 'CloudTrail Insights event (not an API call)' });
        } else if (FRAGMENTS.includes(file)) {
          expect(result).toEqual({ ok: false, reason: 'missing eventTime' });
        } else {
          expect(result.ok, `${file} #${index}: ${result.ok ? '' : result.reason}`).toBe(true);
          if (!result.ok) continue;
          const { event } = result;
          expect(event.actor.key.length).toBeGreaterThan(0);
          expect(event.credential.accessKeyId).not.toBe('');
          expect(event.actor.arn).not.toBe('');
          expect(Number.isFinite(event.time)).toBe(true);
          expect(event.raw).toBe(record);
        }
      }
    },
  );
});

describe('credential kinds (D6 must test the key prefix, not userIdentity.type)', () => {
  it('cloud-snitch 222: the IAM user console session with an ASIA key is console, not long-lived', () => {
    const event = corpusEvent('benign/cloud-snitch-s3-log-file-222-mixed-service-traffic.json', 1);
    expect(event.actor.type).toBe('IAMUser');
    expect(event.actor.arn).toBe('arn:aws:iam::222222222222:user/chris');
    expect(event.credential).toEqual({ kind: 'console', accessKeyId: 'ASIATGOPDG7TGZMFMMCI' });
  });

  const stratusIamUserFiles = corpusFiles().filter(
    (file) => /\/stratus-.*iamuser/.test(file) && !file.includes('consolelogin'),
  );

  it.each(stratusIamUserFiles)(
    '%s: IAM user records with a key are signed with a long-lived AKIA key',
    (file) => {
      const iamUserIndexes = corpusRecords(file)
        .map((record, index) => ({ record, index }))
        .filter(({ record }) => {
          const identity = record.userIdentity as { type?: string; accessKeyId?: string } | undefined;
          // ConsoleLogin (password sign-in) is signed by no key at all.
          return identity?.type === 'IAMUser' && identity.accessKeyId !== undefined;
        });
      expect(iamUserIndexes.length).toBeGreaterThan(0);
      for (const { index } of iamUserIndexes) {
        const event = corpusEvent(file, index);
        expect(event.credential.kind, `${file} #${index}`).toBe('long-lived');
        expect(event.credential.accessKeyId).toMatch(/^AKIA/);
      }
    },
  );

  it('stratus federated user: ASIA session key is temporary', () => {
    const event = corpusEvent('long-lived-key/stratus-getfederationtoken-then-federateduser.json', 1);
    expect(event.actor).toMatchObject({
      type: 'FederatedUser',
      arn: 'arn:aws:sts::742491224508:federated-user/stratus_red_team',
      sessionName: 'stratus_red_team',
    });
    expect(event.credential).toEqual({ kind: 'temporary', accessKeyId: 'ASIASTJKC5GCM7ZE6LUP' });
  });

  it('placeholder keys are kind none but keep their id; an empty key is no key', () => {
    const placeholder = corpusEvent('iam-write/elastic-grimoire-attachrolepolicy-iamuser.json');
    expect(placeholder.credential).toEqual({ kind: 'none', accessKeyId: 'ACCESSKEYID' });
    const hidden = corpusEvent('benign/awsdocs-console-signin-failure-hidden-username.json');
    expect(hidden.credential).toEqual({ kind: 'console', accessKeyId: undefined });
  });

  it('a console sign-in without an access key is console', () => {
    const event = corpusEvent('benign/stratus-consolelogin-iamuser-no-mfa.json');
    expect(event.credential).toEqual({ kind: 'console', accessKeyId: undefined });
  });
});

describe('outcomes (D1 uses an allow-list of denial codes)', () => {
  it.each([
    [
      'access-denied/stratus-ec2-getpassworddata-unauthorizedoperation-burst.json',
      0,
      'Client.UnauthorizedOperation',
    ],
    [
      'access-denied/panther-unauthorizedoperation-no-client-prefix-modifyimageattribute.json',
      0,
      'UnauthorizedOperation',
    ],
    ['access-denied/panther-vpceaccessdenied-network-activity-event.json', 0, 'VpceAccessDenied'],
    ['access-denied/stratus-sts-assumerole-denied-then-allowed-iamuser.json', 2, 'AccessDenied'],
    ['access-denied/tenable-accessdenied-explicit-deny-scp-listfunctions.json', 0, 'AccessDenied'],
    ['guardrail/stratus-organizations-leaveorganization-denied-after-assumerole.json', 1, 'AccessDenied'],
    ['oidc/assume-role-with-web-identity-failed-eks-irsa-accessdenied.json', 0, 'AccessDenied'],
  ])('%s #%i (%s) is denied', (file, index, code) => {
    const event = corpusEvent(file, index);
    expect(event.errorCode).toBe(code);
    expect(event.outcome).toBe('denied');
  });

  it.each([
    ['iam-write/panther-deletegrouppolicy-success-and-nosuchentity-error.json', 1, 'NoSuchEntity'],
    [
      'iam-write/stratus-createloginprofile-with-entitytemporarilyunmodifiable-error.json',
      1,
      'EntityTemporarilyUnmodifiableException',
    ],
    [
      'guardrail/awsdocs-updatetrail-trailnotfound-error-and-console-update.json',
      0,
      'TrailNotFoundException',
    ],
    ['guardrail/panther-deletetrail-success-and-conflictexception.json', 1, 'ConflictException'],
    ['guardrail/panther-stoplogging-startlogging-and-error.json', 2, 'InvalidTrailNameException'],
    ['access-denied/panther-negative-dryrun-operation-not-a-denial.json', 0, 'Client.DryRunOperation'],
  ])('%s #%i (%s) is an error, not a denial', (file, index, code) => {
    const event = corpusEvent(file, index);
    expect(event.errorCode).toBe(code);
    expect(event.outcome).toBe('error');
  });

  it('Grafana errorCode "200" is a success', () => {
    const event = corpusEvent('benign/elastic-sso-console-read-and-grafana-errorcode-200.json', 0);
    expect(event.errorCode).toBe('200');
    expect(event.outcome).toBe('success');
  });

  it('console sign-in failures carry no errorCode and stay success at this layer', () => {
    const event = corpusEvent('benign/awsdocs-console-signin-success-failure.json', 1);
    expect(event.errorMessage).toBe('Failed authentication');
    expect(event.outcome).toBe('success');
  });
});

describe('actors without an ARN', () => {
  it('AWSAccount caller (cloud-snitch cross-account AssumeRole): no arn, account key', () => {
    const event = corpusEvent('benign/cloud-snitch-cross-account-assumerole-awsaccount-no-arn.json');
    expect(event.actor).toEqual({
      type: 'AWSAccount',
      arn: undefined,
      key: 'account:774305579662:AROA3ISBVQKHHSGTEMQ45:cloud-snitch-us-east-1-dev-QueueHandler49A28051-kJGBH9cs5Vvs',
      accountId: '774305579662',
      role: undefined,
      sessionArn: undefined,
      sessionName: undefined,
      userName: undefined,
      service: undefined,
      sourceIdentity: undefined,
    });
    // The record was delivered to the role owner, not to the caller's account.
    expect(event.account).toBe('123412341234');
  });

  it('IdentityCenterUser with arn "": arn undefined, keyed by the Identity Center user id', () => {
    const event = corpusEvent('benign/elastic-identitycenteruser-userauthentication-empty-arn.json');
    expect(event.actor.type).toBe('IdentityCenterUser');
    expect(event.actor.arn).toBeUndefined();
    expect(event.actor.key).toBe('identitycenter:redacted');
    const real = corpusEvent(
      'benign/identity-center-getrolecredentials-then-sso-role-getcalleridentity.json',
      0,
    );
    expect(real.actor.key).toBe('identitycenter:976710cc5d-9d976f61-3b89-4b98-88db-2ea3bbc1f3fa');
  });

  it('AWS-internal service event without userIdentity.type: Unknown, keyed by the emitting service', () => {
    const event = corpusEvent('benign/cloud-snitch-aws-internal-ecr-lifecycle-service-event.json');
    expect(event.actor).toMatchObject({ type: 'Unknown', key: 'service:ecr.amazonaws.com', arn: undefined });
    expect(event.viaAwsService).toBe(true);
    expect(event.invokedBy).toBe('AWS Internal');
  });

  it('AWSService caller: keyed by invokedBy', () => {
    const event = corpusEvent('benign/cloud-snitch-s3-log-file-222-mixed-service-traffic.json', 3);
    expect(event.actor).toMatchObject({
      type: 'AWSService',
      key: 'service:cloudtrail.amazonaws.com',
      service: 'cloudtrail.amazonaws.com',
    });
    expect(event.credential.kind).toBe('none');
    expect(event.viaAwsService).toBe(true);
  });

  it('failed console login with a hidden user name: no arn, no key id', () => {
    const event = corpusEvent('benign/awsdocs-console-signin-failure-hidden-username.json');
    expect(event.actor).toMatchObject({
      type: 'IAMUser',
      arn: undefined,
      key: 'iamuser:123456789012:HIDDEN_DUE_TO_SECURITY_REASONS',
    });
  });
});

describe('assumed roles', () => {
  it('EventBridge-envelope SSO DeleteRolePermissionsBoundary: role with path from sessionIssuer', () => {
    const event = corpusEvent(
      'iam-write/eventbridge-envelope-deleterolepermissionsboundary-sso-console.json',
    );
    expect(event.actor.role).toEqual({
      arn: 'arn:aws:iam::***:role/aws-reserved/sso.amazonaws.com/eu-central-1/AWSReservedSSO_AdministratorAccess_33d40419b45cd0b4',
      canonicalArn: 'arn:aws:iam::***:role/AWSReservedSSO_AdministratorAccess_33d40419b45cd0b4',
      account: '***',
      name: 'AWSReservedSSO_AdministratorAccess_33d40419b45cd0b4',
    });
    expect(event.actor.arn).toBe(event.actor.role?.arn);
    expect(event.actor.sessionArn).toBe(
      'arn:aws:sts::***:assumed-role/AWSReservedSSO_AdministratorAccess_33d40419b45cd0b4/michael.ullrich@nuvibit.com',
    );
    expect(event.actor.sessionName).toBe('michael.ullrich@nuvibit.com');
    expect(event.credential.kind).toBe('console');
    expect(event.action).toBe('iam:DeleteRolePermissionsBoundary');
    expect(event.federatedProvider).toBeUndefined();
  });

  it('later calls by a web-identity session carry federatedProvider; the EC2 contrast record does not', () => {
    const file = 'oidc/later-calls-with-webidfederationdata-eks-irsa-and-ec2-contrast.json';
    const provider =
      'arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLEFA1C58F08CDB049167EXAMPLE';
    expect(corpusEvent(file, 0).federatedProvider).toBe(provider);
    expect(corpusEvent(file, 1).federatedProvider).toBe(provider);
    expect(corpusEvent(file, 2).federatedProvider).toBeUndefined();
  });

  it('no AssumedRole record in the corpus loses its role', () => {
    for (const file of corpusFiles()) {
      for (const [index, record] of corpusRecords(file).entries()) {
        const result = normalizeRecord(record);
        if (!result.ok || result.event.actor.type !== 'AssumedRole') continue;
        expect(result.event.actor.role, `${file} #${index}`).toBeDefined();
        expect(result.event.actor.key).toBe(result.event.actor.role?.arn);
      }
    }
  });
});

describe('OIDC assumptions in the corpus', () => {
  it('cloud-snitch GitHub success', () => {
    const event = corpusEvent('oidc/assume-role-with-web-identity-github-success-cloud-snitch.json');
    expect(event.oidc).toMatchObject({
      provider: 'github',
      subject: 'repo:ccbrown/cloud-snitch:ref:refs/heads/main',
      claims: { owner: 'ccbrown', repository: 'cloud-snitch', branch: 'main' },
      issuedAccessKeyId: 'ASIA3ISBVQKHJOCMRQJH',
    });
  });

  it('the failed EKS IRSA call keeps its subject and role; the provider is not a CI system', () => {
    const event = corpusEvent('oidc/assume-role-with-web-identity-failed-eks-irsa-accessdenied.json');
    expect(event.outcome).toBe('denied');
    expect(event.oidc).toMatchObject({
      provider: 'other',
      subject: 'system:serviceaccount:argo:awf-aws-executor-plugin',
      audience: 'sts.amazonaws.com',
      role: { name: 'sm-pipelines-k8s-awf-aws-executor-plugin' },
      claims: {},
      issuedAccessKeyId: undefined,
    });
  });

  it('non-web-identity records have no oidc', () => {
    expect(corpusEvent('benign/awsdocs-assumerolewithsaml-aws-internal-source.json').oidc).toBeUndefined();
  });
});
