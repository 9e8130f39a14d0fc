import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type EventPattern, patternOf } from '../../../lib/eventbridge/event-patterns.ts';
import { DENIAL_CODES, isAuthorizationFailure } from '../../../lib/identity/denial.ts';
import { DENIAL_FILTER } from '../../../lib/queries/insights-text.ts';
import { corpusFiles, corpusRecords } from '../../helpers/records.ts';
import { matchesPattern } from '../eventbridge/pattern-matcher.ts';

/**
 * The denial allow-list has one owner (`DENIAL_CODES`) and three renderings: the classifier, the
 * EventBridge `errorCode` pattern and the Logs Insights filter. All three must select the same codes.
 */

// The `detail` of the rule a denied-only, every-source selector gets: the real `patternOf` path.
const ruleDetail = patternOf([
  { source: '*', errors: { kind: 'denied' }, readOnly: true, notByAwsService: false, detectors: new Set() },
]).detail as EventPattern;

function eventBridgeSelects(code: string | undefined): boolean {
  return matchesPattern(ruleDetail, code === undefined ? {} : { errorCode: code });
}

// The filter text as sent to Logs Insights, `errorCode =~ /…/`: its regex evaluated with JS RegExp. The
// regex uses only anchors, a group, `|`, `?`, `.*` and `\.`, read alike by Logs Insights and JavaScript;
// both match case-sensitively, and a record without the field never matches.
const filter = /^errorCode =~ \/(.*)\/$/.exec(DENIAL_FILTER);
if (filter?.[1] === undefined) throw new Error(`unexpected denial filter: ${DENIAL_FILTER}`);
const insightsRegex = new RegExp(filter[1]);

function insightsSelects(code: string | undefined): boolean {
  return code !== undefined && insightsRegex.test(code);
}

const corpusCodes = [
  ...new Set(
    corpusFiles().flatMap((file) =>
      corpusRecords(file).flatMap((record) =>
        typeof record.errorCode === 'string' ? [record.errorCode] : [],
      ),
    ),
  ),
].sort();

const tricky = [
  'AccessDeniedException',
  'Client.UnauthorizedOperation',
  'NoSuchEntity',
  'ThrottlingException',
  '200',
  'accessdenied',
  'VpceAccessDenied',
  'Client.AccessDenied',
  'Client.Client.AccessDenied',
  'Client.AccessDeniedForDependencyException',
  'Client.VpceAccessDenied',
  'S3UnauthorizedAccess',
  'KMSAccessDeniedException',
  'NotAuthorizedException',
  'Client.DryRunOperation',
  'xClient.AccessDenied',
  'Client.',
  '',
];

describe('the denial codes, rendered three ways', () => {
  it('the corpus holds both denials and other errors', () => {
    expect(corpusCodes.some(isAuthorizationFailure)).toBe(true);
    expect(corpusCodes.some((code) => !isAuthorizationFailure(code))).toBe(true);
  });

  it.each([...corpusCodes, ...tricky, ...DENIAL_CODES.exact, undefined])(
    'classifier, EventBridge pattern and Insights filter agree on %j',
    (code) => {
      const denied = isAuthorizationFailure(code);
      expect(eventBridgeSelects(code)).toBe(denied);
      expect(insightsSelects(code)).toBe(denied);
    },
  );

  it('agree on codes built from the allow-list fragments', () => {
    const fragment = fc.constantFrom(
      DENIAL_CODES.clientPrefix,
      ...DENIAL_CODES.exact,
      ...DENIAL_CODES.prefixes,
      ...DENIAL_CODES.suffixes,
      'Unauthorized',
      'Exception',
      'KMS',
      'x',
      '.',
    );
    fc.assert(
      fc.property(fc.array(fragment, { minLength: 1, maxLength: 4 }), (parts) => {
        const code = parts.join('');
        const denied = isAuthorizationFailure(code);
        expect(eventBridgeSelects(code)).toBe(denied);
        expect(insightsSelects(code)).toBe(denied);
      }),
      { numRuns: 2000 },
    );
  });
});
