import { describe, expect, it } from 'vitest';
import { pipelineIamWrite } from '../../detectors/pipeline-iam-write.ts';
import { evaluate, exampleConfig } from '../helpers/config.ts';
import { corpusRecords, derivedEvent, derivedRecord, normalized, variant } from '../helpers/records.ts';

const SERVICE_ROLE =
  'arn:aws:iam::774305579662:role/cloud-snitch-github-actio-GithubActionsRoleF5CC769F-MoeCHSu77MYt';
const ADMIN = 'github-oidc-service-role-attachrolepolicy-admin';

/** A derived record as made by another role of the same account. */
function asRole(name: string, roleName: string) {
  return variant(derivedRecord(name), (record) => {
    const issuer = record.userIdentity.sessionContext.sessionIssuer;
    issuer.arn = `arn:aws:iam::774305579662:role/${roleName}`;
    issuer.userName = roleName;
    record.userIdentity.arn = `arn:aws:sts::774305579662:assumed-role/${roleName}/GitHubActions`;
  });
}

describe('pipeline-iam-write: service pipelines', () => {
  it('is critical when a service pipeline attached a policy (success)', () => {
    const finding = evaluate(pipelineIamWrite, derivedEvent(ADMIN), exampleConfig());
    expect(finding).toMatchObject({
      severity: 'critical',
      principal: SERVICE_ROLE,
      pipeline: 'cloud-snitch',
      environment: 'prod',
    });
    expect(finding?.summary).toContain('cloud-snitch/prod');
    expect(finding?.summary).toContain(
      'iam:AttachRolePolicy on roleName=stratus-red-team-malicious-iam-role',
    );
    expect(finding?.summary).toContain('[success]');
    expect(finding?.details).toMatchObject({
      action: 'iam:AttachRolePolicy',
      target: 'roleName=stratus-red-team-malicious-iam-role',
      request: {
        roleName: 'stratus-red-team-malicious-iam-role',
        policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      },
      outcome: 'success',
      accessKeyId: 'ASIA3ISBVQKHJOCMRQJH',
      sessionName: 'GitHubActions',
    });
  });

  it('is critical when the call failed for a reason other than authorization (the permission exists)', () => {
    const finding = evaluate(
      pipelineIamWrite,
      derivedEvent('github-oidc-service-role-attachrolepolicy-nosuchentity'),
      exampleConfig(),
    );
    expect(finding).toMatchObject({
      severity: 'critical',
      details: { outcome: 'error', errorCode: 'NoSuchEntity' },
    });
    expect(finding?.summary).toContain('[error NoSuchEntity]');
  });

  it('is high when denied: the boundary held, but the pipeline tried to escalate', () => {
    const finding = evaluate(
      pipelineIamWrite,
      derivedEvent('github-oidc-service-role-createrole-denied'),
      exampleConfig(),
    );
    expect(finding).toMatchObject({
      severity: 'high',
      details: { outcome: 'denied', errorCode: 'AccessDenied' },
    });
    expect(finding?.summary).toContain(
      'tried iam:CreateRole on roleName=stratus-red-team-malicious-iam-role',
    );
  });

  it('covers permissions-boundary removal and resource policies', () => {
    const boundary = evaluate(
      pipelineIamWrite,
      derivedEvent('github-oidc-service-role-deleterolepermissionsboundary'),
      exampleConfig(),
    );
    expect(boundary).toMatchObject({ severity: 'critical', details: { target: 'roleName=App_test2' } });
    const bucket = evaluate(
      pipelineIamWrite,
      derivedEvent('github-oidc-service-role-s3-putbucketpolicy'),
      exampleConfig(),
    );
    expect(bucket).toMatchObject({
      severity: 'critical',
      details: { action: 's3:PutBucketPolicy', target: 'bucketName=cloud-snitch-assets' },
    });
  });

  it('takes extraActions from the config, case-insensitively', () => {
    const bucket = derivedEvent('github-oidc-service-role-s3-putbucketpolicy');
    const none = exampleConfig({ detectors: { 'pipeline-iam-write': { extraActions: [] } } });
    expect(evaluate(pipelineIamWrite, bucket, none)).toBeUndefined();
    const lower = exampleConfig({ detectors: { 'pipeline-iam-write': { extraActions: ['S3:putBucket*'] } } });
    expect(evaluate(pipelineIamWrite, bucket, lower)?.severity).toBe('critical');
    // IAM itself is always in scope.
    expect(evaluate(pipelineIamWrite, derivedEvent(ADMIN), none)?.severity).toBe('critical');
  });

  it('covers Organizations writes and Identity Center permission sets by default', () => {
    const scp = variant(derivedRecord(ADMIN), (record) => {
      record.eventSource = 'organizations.amazonaws.com';
      record.eventName = 'AttachPolicy';
      record.requestParameters = { policyId: 'p-FullAWSAccess', targetId: 'ou-abcd-12345678' };
    });
    expect(evaluate(pipelineIamWrite, scp, exampleConfig())).toMatchObject({
      severity: 'critical',
      details: { target: 'policyId=p-FullAWSAccess' },
    });
    const permissionSet = variant(derivedRecord(ADMIN), (record) => {
      record.eventSource = 'sso.amazonaws.com';
      record.eventName = 'AttachManagedPolicyToPermissionSet';
      record.requestParameters = {
        permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-1',
        managedPolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      };
    });
    expect(evaluate(pipelineIamWrite, permissionSet, exampleConfig())?.severity).toBe('critical');
  });
});

describe('pipeline-iam-write: not reported', () => {
  it.each([
    ['the platform pipeline', 'platform-deploy'],
    ['an agent', 'ai-agent'],
    ['a role missing from the inventory', 'some-other-role'],
  ])('exempts %s', (_label, roleName) => {
    expect(evaluate(pipelineIamWrite, asRole(ADMIN, roleName), exampleConfig())).toBeUndefined();
  });

  it('ignores read-only IAM calls', () => {
    const read = variant(derivedRecord(ADMIN), (record) => {
      record.eventName = 'GetRole';
      record.readOnly = true;
      record.requestParameters = { roleName: 'stratus-red-team-malicious-iam-role' };
    });
    expect(evaluate(pipelineIamWrite, read, exampleConfig())).toBeUndefined();
  });

  it('ignores service-linked roles unless ignoreActions is emptied', () => {
    const slr = variant(derivedRecord(ADMIN), (record) => {
      record.eventName = 'CreateServiceLinkedRole';
      record.requestParameters = { aWSServiceName: 'ecs.amazonaws.com' };
    });
    expect(evaluate(pipelineIamWrite, slr, exampleConfig())).toBeUndefined();
    const strict = exampleConfig({ detectors: { 'pipeline-iam-write': { ignoreActions: [] } } });
    expect(evaluate(pipelineIamWrite, slr, strict)?.severity).toBe('critical');
  });

  it("ignores KMS grants an AWS service creates on the pipeline's behalf, not grants it makes itself", () => {
    const grant = (invokedBy?: string) =>
      variant(derivedRecord(ADMIN), (record) => {
        record.eventSource = 'kms.amazonaws.com';
        record.eventName = 'CreateGrant';
        record.requestParameters = {
          keyId: 'arn:aws:kms:us-east-1:774305579662:key/1234',
          granteePrincipal: 'arn:aws:iam::774305579662:role/x',
        };
        if (invokedBy) record.userIdentity.invokedBy = invokedBy;
      });
    expect(evaluate(pipelineIamWrite, grant('rds.amazonaws.com'), exampleConfig())).toBeUndefined();
    expect(evaluate(pipelineIamWrite, grant(), exampleConfig())?.severity).toBe('critical');
  });

  it('finds nothing in the corpus IAM writes: none is made by a service pipeline', () => {
    const config = exampleConfig();
    for (const file of [
      'iam-write/panther-attachrolepolicy-admin-and-nonadmin-assumedrole.json',
      'iam-write/panther-deletegrouppolicy-success-and-nosuchentity-error.json',
      'iam-write/stratus-createuser-attachuserpolicy-createaccesskey-iamuser.json',
      'iam-write/eventbridge-envelope-deleterolepermissionsboundary-sso-console.json',
    ]) {
      for (const record of corpusRecords(file))
        expect(evaluate(pipelineIamWrite, normalized(record), config)).toBeUndefined();
    }
  });

  it('declares IAM writes plus the extra sources with their exact CloudTrail names', () => {
    expect(pipelineIamWrite.needs).toContainEqual({ source: 'iam.amazonaws.com' });
    expect(pipelineIamWrite.needs).toContainEqual({ source: 'organizations.amazonaws.com' });
    expect(pipelineIamWrite.needs).toContainEqual({
      source: 'lambda.amazonaws.com',
      names: ['AddPermission20150331', 'AddPermission20150331v2'],
    });
    expect(pipelineIamWrite.needs.every((need) => need.readOnly === undefined)).toBe(true);
  });
});
