import { describe, expect, it } from 'vitest';
import { isAuthorizationFailure, outcomeOf } from '../../../lib/identity/denial.ts';

describe('isAuthorizationFailure', () => {
  it.each([
    'AccessDenied',
    'AccessDeniedException',
    'Client.UnauthorizedOperation',
    'UnauthorizedOperation',
    'VpceAccessDenied',
    'UnauthorizedAccess',
    'Client.UnauthorizedAccess',
    'S3UnauthorizedAccess',
    'AuthorizationError',
    'NotAuthorized',
    'Forbidden',
    'ForbiddenException',
    'AccessDeniedForDependencyException',
    'Client.AccessDenied',
  ])('%s is a denial', (code) => {
    expect(isAuthorizationFailure(code)).toBe(true);
  });

  it.each([
    'Client.DryRunOperation',
    'NoSuchEntity',
    'NoSuchEntityException',
    'EntityTemporarilyUnmodifiableException',
    'TrailNotFoundException',
    'InvalidTrailNameException',
    'ConflictException',
    'InvalidIdentityToken',
    'ExpiredToken',
    'ExpiredTokenException',
    'LimitExceededException',
    'ThrottlingException',
    'ValidationException',
    // The service could not use a KMS key: the caller's own permission check passed.
    'KMSAccessDeniedException',
    'EncryptionKeyAccessDeniedException',
    // Cognito: a failed login (authentication).
    'NotAuthorizedException',
    'accessdenied',
    '200',
    '403',
    '',
    undefined,
  ])('%j is not a denial', (code) => {
    expect(isAuthorizationFailure(code)).toBe(false);
  });
});

describe('outcomeOf', () => {
  it.each([
    [undefined, 'success'],
    ['', 'success'],
    ['200', 'success'],
    ['204', 'success'],
    ['AccessDenied', 'denied'],
    ['Client.UnauthorizedOperation', 'denied'],
    ['NoSuchEntity', 'error'],
    ['Client.DryRunOperation', 'error'],
    ['403', 'error'],
    ['2000', 'error'],
  ] as const)('%j → %s', (code, outcome) => {
    expect(outcomeOf(code)).toBe(outcome);
  });
});
