import { describe, expect, it } from 'vitest';
import { isReadOnlyEventName } from '../../../lib/identity/read-only.ts';

describe('isReadOnlyEventName', () => {
  it.each([
    'DescribeInstances',
    'GetRole',
    'GetCallerIdentity',
    'ListFunctions20150331',
    'HeadObject',
    'LookupEvents',
    'BatchGetSecretValue',
    'SelectObjectContent',
    'SearchResources',
    'Scan',
    'Query',
    'CheckAccessNotGranted',
    'Verify',
    'TestInvokeMethod',
    'SimulatePrincipalPolicy',
    'AssumeRole',
    'AssumeRoleWithWebIdentity',
    'AssumeRoleWithSAML',
    'Decrypt',
    'GenerateDataKey',
    // A bare verb is the whole action name (DynamoDB Scan / Query work the same way).
    'Get',
  ])('%s is read-only', (name) => {
    expect(isReadOnlyEventName(name)).toBe(true);
  });

  it.each([
    'GetFederationToken',
    'GetSessionToken',
    'CreateUser',
    'AttachRolePolicy',
    'PutEventSelectors',
    'Invoke',
    'ConsoleLogin',
    'Getaway',
    'Listen',
    'Testify',
    'UpdateFunctionCode20150331v2',
    '',
  ])('%j is not read-only', (name) => {
    expect(isReadOnlyEventName(name)).toBe(false);
  });
});
