import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAuthorizationFailure } from '../../../lib/identity/denial.ts';
import { deniedQuery } from '../../../lib/queries/denied-query.ts';
import { iamWritesQuery } from '../../../lib/queries/iam-writes-query.ts';
import {
  DENIAL_PATTERN,
  hasControlCharacter,
  IDENTITY_FIELDS,
  insightsList,
  insightsString,
} from '../../../lib/queries/insights-text.ts';
import { keysQuery } from '../../../lib/queries/keys-query.ts';
import { oidcQuery } from '../../../lib/queries/oidc-query.ts';
import { principalQuery } from '../../../lib/queries/principal-query.ts';
import { QueryError } from '../../../lib/queries/query-error.ts';
import { sessionQuery } from '../../../lib/queries/session-query.ts';
import { testConfig } from '../../helpers/config.ts';

const context = { config: testConfig() };
const STATS = 'stats count(*) as count, min(@timestamp) as first, max(@timestamp) as last by';
const IDENTITY = IDENTITY_FIELDS.join(', ');

describe('Logs Insights string literals', () => {
  it('double-quotes, escaping backslash and quote', () => {
    expect(insightsString('plain')).toBe('"plain"');
    expect(insightsString('a"b')).toBe('"a\\"b"');
    expect(insightsString('a\\b')).toBe('"a\\\\b"');
    expect(insightsString('\\"')).toBe('"\\\\\\""');
    expect(insightsList(['A', 'B"'])).toBe('["A", "B\\""]');
  });

  it.each(['line\nbreak', 'carriage\rreturn', 'nul\u0000', 'tab\t', 'ls\u2028'])(
    'refuses a value with a control character: %j',
    (value) => {
      expect(() => insightsString(value)).toThrow(QueryError);
    },
  );

  it('keeps a hostile value inside its literal whatever it holds', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii' }), (value) => {
        fc.pre(!hasControlCharacter(value));
        const literal = insightsString(value);
        // Reading the literal back (JSON string syntax is the same for \\ and \") gives the value.
        expect(JSON.parse(literal)).toBe(value);
        // No unescaped quote ends the literal early.
        expect(/(^|[^\\])(\\\\)*"/.test(literal.slice(1, -1))).toBe(false);
      }),
    );
  });
});

describe('the Insights denial filter', () => {
  const pattern = new RegExp(DENIAL_PATTERN);
  const known = [
    'AccessDenied',
    'AccessDeniedException',
    'Client.UnauthorizedOperation',
    'UnauthorizedOperation',
    'VpceAccessDenied',
    'UnauthorizedAccess',
    'AuthorizationError',
    'AuthorizationErrorException',
    'NotAuthorized',
    'Forbidden',
    'ForbiddenException',
    'Client.AccessDenied',
    'KMSAccessDeniedException',
    'EncryptionKeyAccessDeniedException',
    'NotAuthorizedException',
    'Client.DryRunOperation',
    'NoSuchEntity',
    'ExpiredToken',
    'InvalidIdentityToken',
    '200',
    'ThrottlingException',
    'accessdenied',
    'Client.Client.AccessDenied',
  ];

  it.each(known)('agrees with the allow-list on %s', (code) => {
    expect(pattern.test(code)).toBe(isAuthorizationFailure(code));
  });

  it('agrees with the allow-list on codes built from its fragments', () => {
    const fragment = fc.constantFrom(
      'Client.',
      'AccessDenied',
      'Exception',
      'Unauthorized',
      'Operation',
      'Access',
      'Vpce',
      'Authorization',
      'Error',
      'Not',
      'Authorized',
      'Forbidden',
      'KMS',
      'x',
      '.',
    );
    fc.assert(
      fc.property(fc.array(fragment, { minLength: 1, maxLength: 5 }), (parts) => {
        const code = parts.join('');
        expect(pattern.test(code)).toBe(isAuthorizationFailure(code));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('each query rendered as Logs Insights text', () => {
  it('denied: the allow-list regex, counted per bin, event and caller', () => {
    expect(deniedQuery.insights({ binMs: 3_600_000 }, context).text).toBe(
      `filter errorCode =~ /${DENIAL_PATTERN}/\n| ${STATS} bin(1h), eventSource, eventName, ${IDENTITY}, errorCode`,
    );
    expect(deniedQuery.insights({ binMs: 900_000 }, context).text).toContain(`${STATS} bin(15m), `);
  });

  it('principal: a role by account and name whatever its path, or its session ARNs', () => {
    expect(
      principalQuery.insights({ arn: 'arn:aws:iam::111122223333:role/ci/deploy-prod' }, context).text,
    ).toBe(
      'filter ((userIdentity.sessionContext.sessionIssuer.accountId = "111122223333") and ' +
        '(userIdentity.sessionContext.sessionIssuer.userName = "deploy-prod")) or ' +
        '(userIdentity.arn like "arn:aws:sts::111122223333:assumed-role/deploy-prod/")\n' +
        `| ${STATS} eventSource, eventName, ${IDENTITY}, errorCode, awsRegion, sourceIPAddress, userAgent`,
    );
  });

  it('principal: a user ARN exactly, escaped', () => {
    const text = principalQuery.insights({ arn: 'arn:aws:iam::1:user/o"neil' }, context).text;
    expect(text.split('\n')[0]).toBe('filter userIdentity.arn = "arn:aws:iam::1:user/o\\"neil"');
  });

  it('oidc: every AssumeRoleWithWebIdentity, with what the assumption names', () => {
    expect(oidcQuery.insights({}, context).text).toBe(
      'filter (eventSource = "sts.amazonaws.com") and (eventName = "AssumeRoleWithWebIdentity")\n' +
        `| ${STATS} eventSource, eventName, ${IDENTITY}, requestParameters.roleArn, ` +
        'requestParameters.roleSessionName, responseElements.subjectFromWebIdentityToken, ' +
        'responseElements.provider, responseElements.audience, resources.0.type, resources.0.ARN, ' +
        'errorCode, sourceIPAddress',
    );
  });

  it('iam-writes: IAM calls by role sessions, with readOnly for the exact test', () => {
    expect(iamWritesQuery.insights({}, context).text).toBe(
      'filter (eventSource = "iam.amazonaws.com") and (userIdentity.type = "AssumedRole")\n' +
        `| ${STATS} eventSource, eventName, ${IDENTITY}, errorCode, readOnly`,
    );
  });

  it('keys: AKIA keys, with what tells a console session apart', () => {
    expect(keysQuery.insights({}, context).text).toBe(
      'filter userIdentity.accessKeyId like /^AKIA/\n' +
        `| ${STATS} eventSource, eventName, ${IDENTITY}, userIdentity.accessKeyId, ` +
        'sessionCredentialFromConsole, eventType, errorCode, userAgent, sourceIPAddress',
    );
  });

  it('session: the events signed by or issuing the keys, or of the session ARN', () => {
    const text = sessionQuery.insights(
      {
        accessKeyIds: ['ASIAAAAAAAAAAAAAAAA1', 'ASIAAAAAAAAAAAAAAAA2'],
        sessionArn: 'arn:aws:sts::1:assumed-role/r/s"x',
      },
      context,
    ).text;
    const [fields, filter, sort] = text.split('\n');
    expect(fields).toMatch(/^fields eventID, eventTime, eventSource, eventName, awsRegion, errorCode, /);
    expect(fields).toContain('userIdentity.accessKeyId, responseElements.credentials.accessKeyId');
    expect(filter).toBe(
      '| filter (userIdentity.accessKeyId in ["ASIAAAAAAAAAAAAAAAA1", "ASIAAAAAAAAAAAAAAAA2"]) or ' +
        '(responseElements.credentials.accessKeyId in ["ASIAAAAAAAAAAAAAAAA1", "ASIAAAAAAAAAAAAAAAA2"]) or ' +
        '(userIdentity.arn = "arn:aws:sts::1:assumed-role/r/s\\"x") or ' +
        '(responseElements.assumedRoleUser.arn = "arn:aws:sts::1:assumed-role/r/s\\"x")',
    );
    expect(sort).toBe('| sort @timestamp asc');
  });

  it('session: refuses a key id that is not one, before building any text', () => {
    expect(() => sessionQuery.insights({ accessKeyIds: ['ASIA"] or 1=1'] }, context)).toThrow(
      /is not an access key id/,
    );
    expect(() =>
      sessionQuery.insights({ accessKeyIds: [], sessionArn: 'arn:aws:iam::1:role/x' }, context),
    ).toThrow(/is not a session ARN/);
  });
});
