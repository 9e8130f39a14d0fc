import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type NormalizeResult, normalizeRecord } from '../../../lib/events/normalize.ts';
import { corpusFiles, corpusRecords, valuePaths } from '../../helpers/records.ts';

type Json = Record<string, unknown>;

/** Totality: a result always, and never the last-resort guard's "internal error". */
function expectTotal(record: Json): NormalizeResult {
  let result: NormalizeResult | undefined;
  expect(() => {
    result = normalizeRecord(record);
  }).not.toThrow();
  if (result !== undefined && !result.ok) expect(result.reason).not.toMatch(/^internal error/);
  return result as NormalizeResult;
}

const REAL_RECORDS: Json[] = corpusFiles().flatMap((file) => corpusRecords(file));

function replaceAt(record: Json, path: (string | number)[], replacement: unknown): Json {
  const copy = structuredClone(record);
  let cursor: Record<string | number, unknown> = copy;
  for (const step of path.slice(0, -1)) cursor = cursor[step] as Record<string | number, unknown>;
  cursor[path[path.length - 1] as string | number] = replacement;
  return copy;
}

const junk = fc.oneof(
  fc.constant(null),
  fc.constant(''),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.string(),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
);

const identityType = fc.constantFrom(
  'AssumedRole',
  'IAMUser',
  'Root',
  'AWSService',
  'AWSAccount',
  'IdentityCenterUser',
  'WebIdentityUser',
  'SAMLUser',
  'FederatedUser',
  'Directory',
);

/** Records shaped like CloudTrail, with any field possibly absent or of any JSON type. */
const cloudTrailish = fc.record(
  {
    eventTime: fc.oneof(fc.constantFrom('2025-04-16T02:46:56Z', '2024-06-02 20:16:22.000000000'), junk),
    eventSource: fc.oneof(
      fc.constantFrom('sts.amazonaws.com', 'lambda.amazonaws.com', 'iam.amazonaws.com'),
      junk,
    ),
    eventName: fc.oneof(
      fc.constantFrom('AssumeRoleWithWebIdentity', 'ListFunctions20150331', 'GetRole'),
      junk,
    ),
    eventCategory: fc.oneof(fc.constantFrom('Management', 'Data', 'Insight'), junk),
    readOnly: junk,
    managementEvent: junk,
    errorCode: fc.oneof(fc.constantFrom('AccessDenied', 'Client.DryRunOperation', '200'), junk),
    userIdentity: fc.oneof(
      junk,
      fc.record(
        {
          type: fc.oneof(identityType, junk),
          arn: fc.oneof(
            fc.constantFrom('arn:aws:sts::1:assumed-role/r/s', 'arn:aws:iam::1:user/u', ''),
            junk,
          ),
          principalId: fc.oneof(fc.string(), junk),
          identityProvider: fc.oneof(
            fc.constant('arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com'),
            junk,
          ),
          userName: fc.oneof(fc.string(), junk),
          accessKeyId: fc.oneof(fc.constantFrom('AKIAX', 'ASIAX', ''), junk),
          sessionContext: fc.oneof(
            junk,
            fc.record({ sessionIssuer: junk, webIdFederationData: junk }, { requiredKeys: [] }),
          ),
        },
        { requiredKeys: [] },
      ),
    ),
    requestParameters: junk,
    responseElements: fc.oneof(
      junk,
      fc.record({ credentials: junk, provider: junk, audience: junk }, { requiredKeys: [] }),
    ),
    resources: junk,
    insightDetails: junk,
  },
  { requiredKeys: [] },
);

describe('normalizeRecord is total', () => {
  it('on arbitrary JSON objects', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (record) => {
        expectTotal(record);
      }),
      { numRuns: 500 },
    );
  });

  it('on CloudTrail-shaped records with any field of any type', () => {
    fc.assert(
      fc.property(cloudTrailish, (record) => {
        const result = expectTotal(record as Json);
        if (result.ok) expect(result.event.actor.key.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('on real records with a random field replaced by junk', () => {
    const candidates = REAL_RECORDS.map((record) => ({ record, paths: valuePaths(record) })).filter(
      ({ paths }) => paths.length > 0,
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: candidates.length - 1 }),
        fc.nat(),
        junk,
        (which, pathSeed, replacement) => {
          const candidate = candidates[which];
          if (candidate === undefined) return;
          const path = candidate.paths[pathSeed % candidate.paths.length] ?? [];
          const result = expectTotal(replaceAt(candidate.record, path, replacement));
          if (result.ok) expect(result.event.actor.key.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
