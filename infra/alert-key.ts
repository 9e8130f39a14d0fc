import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/**
 * What the account may do with the key through IAM policies, spelled out instead of the usual `kms:*`:
 * administration (so it can never become unmanageable: PutKeyPolicy is in it) and the cryptographic
 * calls a publisher of an encrypted SNS topic makes.
 */
export const KEY_ACCOUNT_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:RetireGrant',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

/** What SNS needs from a publisher's key: a data key to encrypt with, and decrypting it. */
export const PUBLISH_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];

/**
 * The customer-managed key of the alert topic. Not the AWS-managed `aws/sns` key: its policy cannot be
 * changed, and CloudWatch alarms can only publish to an encrypted topic whose key lets
 * cloudwatch.amazonaws.com use it. Rotated yearly.
 */
export function alertKey(scope: Construct, id: string, alias: string): kms.Key {
  const policy = new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'AccountAdministersAndUsesTheKeyThroughIam',
        principals: [new iam.AccountRootPrincipal()],
        actions: KEY_ACCOUNT_ACTIONS,
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToTheEncryptedTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: PUBLISH_KEY_ACTIONS,
        resources: ['*'],
      }),
    ],
  });
  return new kms.Key(scope, id, {
    alias,
    description: 'trailguard: encrypts the alert topic',
    enableKeyRotation: true,
    policy,
  });
}
