import { describe, expect, it } from 'vitest';
import { actionNameOf, actionOf, servicePrefixOf } from '../../../lib/events/event-action.ts';

describe('servicePrefixOf', () => {
  it.each([
    ['iam.amazonaws.com', 'iam'],
    ['sts.amazonaws.com', 'sts'],
    ['signin.amazonaws.com', 'signin'],
    ['s3express.amazonaws.com', 's3express'],
    ['ec2-instance-connect.amazonaws.com', 'ec2-instance-connect'],
    ['monitoring.amazonaws.com', 'cloudwatch'],
    ['email.amazonaws.com', 'ses'],
    ['tagging.amazonaws.com', 'tag'],
    ['metering-marketplace.amazonaws.com', 'aws-marketplace'],
    ['nodots', 'nodots'],
  ])('%s → %s', (source, prefix) => {
    expect(servicePrefixOf(source)).toBe(prefix);
  });
});

describe('actionNameOf', () => {
  it.each([
    ['lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', 'UpdateFunctionCode'],
    ['lambda.amazonaws.com', 'UpdateFunctionConfiguration20150331v2', 'UpdateFunctionConfiguration'],
    ['lambda.amazonaws.com', 'ListFunctions20150331', 'ListFunctions'],
    ['lambda.amazonaws.com', 'AddPermission20150331v2', 'AddPermission'],
    ['lambda.amazonaws.com', 'Invoke', 'Invoke'],
    ['lambda.amazonaws.com', 'CreateFunction2015', 'CreateFunction2015'],
    ['lambda.amazonaws.com', 'Foo123456789', 'Foo123456789'],
    ['lambda.amazonaws.com', '20150331', '20150331'],
    ['lambda.amazonaws.com', 'v2', 'v2'],
    ['cloudfront.amazonaws.com', 'UpdateDistribution2020_05_31', 'UpdateDistribution'],
    ['cloudfront.amazonaws.com', 'CreateInvalidation', 'CreateInvalidation'],
    ['iam.amazonaws.com', 'ListFunctions20150331', 'ListFunctions20150331'],
  ])('%s %s → %s', (source, name, expected) => {
    expect(actionNameOf(source, name)).toBe(expected);
  });

  it('builds the IAM action', () => {
    expect(actionOf('lambda.amazonaws.com', 'UpdateFunctionCode20150331v2')).toBe(
      'lambda:UpdateFunctionCode',
    );
    expect(actionOf('iam.amazonaws.com', 'AttachRolePolicy')).toBe('iam:AttachRolePolicy');
  });
});
