import { describe, expect, it } from 'vitest';
import { resolveActor } from '../../../lib/identity/actor.ts';
import { corpusRecord } from '../../helpers/records.ts';

function actorOf(file: string, index = 0) {
  const record = corpusRecord(file, index);
  return resolveActor(record.userIdentity, record);
}

describe('resolveActor', () => {
  it('AssumedRole: role from sessionIssuer (with path), session from the assumed-role ARN', () => {
    const actor = actorOf(
      'benign/identity-center-getrolecredentials-then-sso-role-getcalleridentity.json',
      1,
    );
    const name = 'AWSReservedSSO_AdministratorAccess_7243976e43c75fc5';
    const arn = `arn:aws:iam::950363612855:role/aws-reserved/sso.amazonaws.com/ap-southeast-2/${name}`;
    expect(actor).toEqual({
      type: 'AssumedRole',
      arn,
      key: arn,
      accountId: '950363612855',
      role: { arn, canonicalArn: `arn:aws:iam::950363612855:role/${name}`, account: '950363612855', name },
      sessionArn: `arn:aws:sts::950363612855:assumed-role/${name}/aidan.steele@glassechidna.com.au`,
      sessionName: 'aidan.steele@glassechidna.com.au',
      userName: undefined,
      service: undefined,
      sourceIdentity: undefined,
    });
  });

  it('AssumedRole without sessionIssuer: role derived from the session ARN (path-less)', () => {
    const record = corpusRecord('access-denied/stratus-ec2-getpassworddata-unauthorizedoperation-burst.json');
    const identity = structuredClone(record.userIdentity) as Record<string, unknown>;
    delete identity.sessionContext;
    const actor = resolveActor(identity, record);
    const arn = 'arn:aws:iam::457448411975:role/stratus-red-team-ec2-get-password-data-role';
    expect(actor.role).toEqual({
      arn,
      canonicalArn: arn,
      account: '457448411975',
      name: 'stratus-red-team-ec2-get-password-data-role',
    });
    expect(actor.arn).toBe(arn);
    expect(actor.sessionName).toBe('aws-go-sdk-1722375070115152000');
  });

  it('AssumedRole with a mangled session ARN: session name from the principalId', () => {
    const actor = actorOf('mutation-burst/stratus-serial-console-enable-and-send-keys-assumedrole.json');
    expect(actor.role?.name).toBe('AWSReservedSSO_account-admin_599c9e90e350d2ff');
    expect(actor.sessionName).toBe('randomca0L529zwNAY@gmail.com');
  });

  it('AssumedRole with a session ARN lacking a session and a bare principalId: no session name', () => {
    const actor = actorOf('iam-write/panther-createuser-assumedrole.json');
    expect(actor.arn).toBe('arn:aws:iam::123456789012:role/tester');
    expect(actor.sessionName).toBeUndefined();
  });

  it('AssumedRole keeps sessionContext.sourceIdentity', () => {
    const record = corpusRecord(
      'benign/stratus-instance-role-reads-getcalleridentity-describeinstances.json',
    );
    const identity = structuredClone(record.userIdentity) as { sessionContext: Record<string, unknown> };
    identity.sessionContext.sourceIdentity = 'alice';
    expect(resolveActor(identity, record).sourceIdentity).toBe('alice');
  });

  it('IAMUser: the user ARN and name', () => {
    expect(actorOf('guardrail/stratus-cloudtrail-stoplogging-iamuser.json')).toMatchObject({
      type: 'IAMUser',
      arn: 'arn:aws:iam::143434273843:user/christophe',
      key: 'arn:aws:iam::143434273843:user/christophe',
      accountId: '143434273843',
      userName: 'christophe',
      role: undefined,
    });
  });

  it('IAMUser with only a user name: keyed by it', () => {
    const actor = actorOf('long-lived-key/panther-getcalleridentity-trufflehog-vs-normal.json', 1);
    expect(actor).toMatchObject({
      type: 'IAMUser',
      arn: undefined,
      key: 'iamuser:admin-user',
      userName: 'admin-user',
    });
  });

  it('Root', () => {
    expect(actorOf('benign/eventbridge-envelope-api-call-createbucket-root-awsdocs.json')).toMatchObject({
      type: 'Root',
      arn: 'arn:aws:iam::123456789012:root',
      key: 'arn:aws:iam::123456789012:root',
      accountId: '123456789012',
    });
  });

  it('FederatedUser: the federated-user ARN and its session name', () => {
    expect(actorOf('long-lived-key/stratus-getfederationtoken-then-federateduser.json', 1)).toMatchObject({
      type: 'FederatedUser',
      arn: 'arn:aws:sts::742491224508:federated-user/stratus_red_team',
      sessionName: 'stratus_red_team',
      role: undefined,
    });
  });

  it('AWSService: service = invokedBy', () => {
    expect(actorOf('benign/elastic-assumerole-by-awsservice-ec2.json')).toMatchObject({
      type: 'AWSService',
      arn: undefined,
      key: 'service:ec2.amazonaws.com',
      service: 'ec2.amazonaws.com',
    });
  });

  it('AWSAccount: no ARN, keyed by account and principal', () => {
    expect(actorOf('benign/awsdocs-cross-account-assumerole-caller-and-role-account.json', 1)).toMatchObject({
      type: 'AWSAccount',
      arn: undefined,
      key: 'account:777788889999:AIDAQRSTUVWXYZEXAMPLE',
      accountId: '777788889999',
    });
  });

  it('WebIdentityUser: the identity provider ARN and the subject as user name', () => {
    const actor = actorOf('oidc/assume-role-with-web-identity-failed-eks-irsa-accessdenied.json');
    expect(actor).toMatchObject({
      type: 'WebIdentityUser',
      arn: 'arn:aws:iam::100000000002:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/A8242F25BFBB8F98F5321B2AE63C8B5C',
      userName: 'system:serviceaccount:argo:awf-aws-executor-plugin',
    });
  });

  it('WebIdentityUser via Cognito (bare host provider): no ARN', () => {
    expect(actorOf('oidc/assume-role-with-web-identity-github-via-cognito-session-tags.json')).toMatchObject({
      arn: undefined,
      key: 'webidentity:cognito-identity.amazonaws.com:ap-southeast-2:f33550b0-d103-4ff1-9319-1745fea988da',
      userName: 'ap-southeast-2:f33550b0-d103-4ff1-9319-1745fea988da',
    });
  });

  it('SAMLUser: no ARN, keyed by principalId', () => {
    expect(actorOf('benign/awsdocs-assumerolewithsaml-aws-internal-source.json')).toMatchObject({
      type: 'SAMLUser',
      arn: undefined,
      key: 'saml:SampleUkh1i4+ExamplexL/jEvs=:SamlExample',
      userName: 'SamlExample',
    });
  });

  it('an unknown type keeps what the identity says', () => {
    const actor = resolveActor({ type: 'Directory', principalId: 'p', accountId: '1' }, {});
    expect(actor).toMatchObject({ type: 'Unknown', key: 'unknown:1:p' });
  });

  it('an absent or empty identity is keyed "unknown"', () => {
    expect(resolveActor(undefined, {}).key).toBe('unknown');
    expect(resolveActor({ type: 'IAMUser', arn: '', userName: '' }, {}).key).toBe('unknown');
    expect(resolveActor({ type: 'AWSService' }, {}).key).toBe('unknown');
  });
});
