import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectors } from '../../../detectors/index.ts';
import type { Detector, EventNeed } from '../../../lib/engine/detector.ts';
import {
  API_CALL_DETAIL_TYPE,
  CLOUDTRAIL_DETAIL_TYPES,
  DENIAL_PATTERN,
  eventBridgeSource,
} from '../../../lib/eventbridge/event-patterns.ts';
import { MAX_PATTERN_CHARS, planRules, type RulePlan } from '../../../lib/eventbridge/rule-plan.ts';
import { normalizeRecord } from '../../../lib/events/normalize.ts';
import type { NormalizedEvent } from '../../../lib/events/normalized-event.ts';
import { LINEAGE_NEEDS } from '../../../lib/lineage/lineage-needs.ts';
import { testConfig } from '../../helpers/config.ts';
import { corpusFiles, corpusRecords } from '../../helpers/records.ts';
import { detailTypeOf, toEventBridgeEvent } from './envelope.ts';
import { matchesPattern } from './pattern-matcher.ts';

type JsonRecord = Record<string, unknown>;

interface Sample {
  envelope: JsonRecord;
  event: NormalizedEvent;
  detailType: string;
}

function sample(record: JsonRecord): Sample | undefined {
  const detailType = detailTypeOf(record);
  const normalized = normalizeRecord(record);
  if (detailType === undefined || !normalized.ok) return undefined;
  return { envelope: toEventBridgeEvent(record), event: normalized.event, detailType };
}

const ERROR_VARIANTS = [
  undefined,
  'AccessDenied',
  'Client.UnauthorizedOperation',
  'AccessDeniedForReasons',
  'Client.AccessDeniedWhatever',
  'SomeServiceUnauthorizedAccess',
  'KMSAccessDeniedException',
  'NotAuthorizedException',
  'Client.DryRunOperation',
  'ThrottlingException',
  '200',
];

/** Every corpus record, plus each with its error code swapped for spellings the denial patterns must tell apart. */
const SAMPLES: Sample[] = corpusFiles()
  .flatMap(corpusRecords)
  .flatMap((record) =>
    ERROR_VARIANTS.map((code) => {
      const copy = structuredClone(record);
      if (code === undefined) delete copy.errorCode;
      else copy.errorCode = code;
      return copy;
    }).concat([record]),
  )
  .map(sample)
  .filter((s): s is Sample => s !== undefined);

/** What the engine's router would accept, with EventBridge's one extra rule: a named source means API calls. */
function wants(need: EventNeed, { event, detailType }: Sample): boolean {
  if (need.source !== '*' && (detailType !== API_CALL_DETAIL_TYPE || event.source !== need.source))
    return false;
  if (need.names && !need.names.includes(event.name)) return false;
  if (event.readOnly && !need.readOnly) return false;
  if (need.deniedOnly && event.outcome !== 'denied') return false;
  // EventBridge's anything-but matches a field that is there: a record without userIdentity.type is out too.
  const callerType = (event.raw.userIdentity as { type?: unknown } | undefined)?.type;
  if (need.notByAwsService && (typeof callerType !== 'string' || callerType === 'AWSService')) return false;
  if (need.errorCodes && (event.errorCode === undefined || !need.errorCodes.includes(event.errorCode)))
    return false;
  return true;
}

/** Whether the planned rules deliver the event: a read-only event only reaches a rule in the read-only state. */
function delivered(plans: readonly RulePlan[], { envelope, event }: Sample): boolean {
  return plans.some((plan) => (plan.readOnly || !event.readOnly) && matchesPattern(plan.pattern, envelope));
}

function expectExactDelivery(needs: readonly EventNeed[], plans: readonly RulePlan[]): void {
  for (const s of SAMPLES) {
    const want = needs.some((need) => wants(need, s));
    if (delivered(plans, s) !== want) {
      throw new Error(
        `${s.event.source} ${s.event.name} errorCode=${s.event.errorCode} readOnly=${s.event.readOnly} ` +
          `(${s.detailType}): wanted ${want}, delivered ${!want}`,
      );
    }
  }
}

const withEnabled = (enabled: (id: string) => boolean) =>
  testConfig({ detectors: Object.fromEntries(detectors.map((d) => [d.id, { enabled: enabled(d.id) }])) });

const WILDCARD_DETECTORS = ['oidc-session-exfiltration', 'long-lived-key', 'agent-change-rate'];
const serviceOnly = withEnabled((id) => !WILDCARD_DETECTORS.includes(id));

describe('planRules', () => {
  it('has corpus samples of every kind it must tell apart', () => {
    expect(SAMPLES.length).toBeGreaterThan(1000);
    expect(new Set(SAMPLES.map((s) => s.detailType)).size).toBeGreaterThanOrEqual(3);
    expect(SAMPLES.some((s) => s.event.readOnly && s.event.outcome === 'denied')).toBe(true);
  });

  it('with every detector on, one rule on detail type alone, in the read-only state', () => {
    const plans = planRules(detectors);
    expect(plans).toEqual([
      {
        readOnly: true,
        pattern: { source: [{ prefix: 'aws.' }], 'detail-type': [...CLOUDTRAIL_DETAIL_TYPES] },
        detectors: detectors.map((d) => d.id).sort(),
      },
    ]);
    expectExactDelivery(
      detectors.flatMap((d) => d.needs),
      plans,
    );
  });

  it('without the "*" detectors, precise patterns: read-only state only where a need asks for it', () => {
    const plans = planRules(detectors, serviceOnly);
    const readOnly = plans.filter((p) => p.readOnly);
    expect(readOnly).toHaveLength(1);
    // Lineage readers need every assumption (read-only) to link sessions to their origin.
    expect(readOnly[0]?.detectors).toEqual([
      'access-denied-spike',
      'oidc-unexpected-subject',
      'pipeline-iam-write',
      'pipeline-role-borrowed',
    ]);
    expect(plans.filter((p) => !p.readOnly).length).toBeGreaterThanOrEqual(1);
    for (const plan of plans.filter((p) => !p.readOnly)) {
      // access-denied-spike reads lineage: written events reach it only in the rule that forwards the
      // stack operations lineage is built from.
      if (plan.detectors.includes('access-denied-spike'))
        expect(JSON.stringify(plan.pattern)).toContain('"ExecuteChangeSet"');
      expect(plan.detectors).not.toContain('oidc-unexpected-subject');
    }
    const text = plans.map((p) => JSON.stringify(p.pattern)).join('\n');
    expect(text).toContain(
      '{"source":["aws.sts"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventSource":["sts.amazonaws.com"],"eventName":["AssumeRole","AssumeRoleWithSAML","AssumeRoleWithWebIdentity"],"userIdentity":{"type":[{"anything-but":["AWSService"]}]}}}',
    );
    // oidc-unexpected-subject judges every web-identity exchange, whoever makes it.
    expect(text).toContain(
      '{"source":["aws.sts"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventSource":["sts.amazonaws.com"],"eventName":["AssumeRoleWithWebIdentity"]}}',
    );
    // IAM: every event name (pipeline-iam-write), which covers oidc-trust-policy's two.
    expect(text).toMatch(/"source":\["aws\.iam"[^\]]*\],"detail":\{"eventSource":\["iam\.amazonaws\.com"/);
    expect(text).not.toContain('"UpdateAssumeRolePolicy"');
    expectExactDelivery(
      detectors
        .filter((d) => !WILDCARD_DETECTORS.includes(d.id))
        .flatMap((d) => [...d.needs, ...(d.usesLineage ? LINEAGE_NEEDS : [])]),
      plans,
    );
  });

  it('matches authorization failures by the exact codes and the AccessDenied/…Unauthorized* patterns', () => {
    const plans = planRules(
      detectors,
      withEnabled((id) => id === 'access-denied-spike'),
    );
    // Lineage adds the assumptions (read-only: the same rule, another branch) and the stack operations.
    expect(plans).toHaveLength(2);
    const denials = plans.find((p) => p.readOnly) as RulePlan;
    const branches = (denials.pattern.$or ?? [denials.pattern]) as { detail?: { errorCode?: unknown[] } }[];
    const detail = branches.find((branch) => branch.detail?.errorCode)?.detail as { errorCode: unknown[] };
    expect(detail.errorCode).toEqual([...DENIAL_PATTERN]);
    for (const code of [
      'AccessDenied',
      'Client.UnauthorizedOperation',
      'VpceAccessDenied',
      'AccessDeniedX',
    ]) {
      expect(matchesPattern(denials.pattern, envelopeWith(code))).toBe(true);
    }
    for (const code of ['KMSAccessDeniedException', 'NotAuthorizedException', 'Client.DryRunOperation']) {
      expect(matchesPattern(denials.pattern, envelopeWith(code))).toBe(false);
    }
  });

  it('keeps each pattern within the limit, splitting a group into several rules when it must', () => {
    for (const plan of planRules(detectors, serviceOnly)) {
      expect(JSON.stringify(plan.pattern).length).toBeLessThanOrEqual(MAX_PATTERN_CHARS);
    }
    const small = planRules(detectors, serviceOnly, 900);
    expect(small.length).toBeGreaterThan(planRules(detectors, serviceOnly).length);
    for (const plan of small) expect(JSON.stringify(plan.pattern).length).toBeLessThanOrEqual(900);
    expectExactDelivery(
      detectors.filter((d) => !WILDCARD_DETECTORS.includes(d.id)).flatMap((d) => d.needs),
      small,
    );
  });

  it('plans no rule when every detector is off, or a need lists no name or code', () => {
    expect(
      planRules(
        detectors,
        withEnabled(() => false),
      ),
    ).toEqual([]);
    const empty = [
      { ...detectors[0], id: 'no-names', needs: [{ source: 'iam.amazonaws.com', names: [] }] },
      { ...detectors[0], id: 'no-codes', needs: [{ source: '*', errorCodes: [] }] },
    ] as Detector[];
    expect(planRules(empty)).toEqual([]);
  });

  it('names each service by its EventBridge source', () => {
    expect(eventBridgeSource('iam.amazonaws.com')).toBe('aws.iam');
    expect(eventBridgeSource('access-analyzer.amazonaws.com')).toBe('aws.access-analyzer');
    expect(eventBridgeSource('monitoring.amazonaws.com')).toBe('aws.monitoring');
  });

  it('delivers exactly what random needs ask for, at any pattern limit', () => {
    const sources = [...new Set(SAMPLES.map((s) => s.event.source))];
    const names = [...new Set(SAMPLES.map((s) => s.event.name))];
    const need: fc.Arbitrary<EventNeed> = fc.record(
      {
        source: fc.oneof(fc.constant('*'), fc.constantFrom(...sources)),
        names: fc.uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength: 12 }),
        readOnly: fc.boolean(),
        deniedOnly: fc.boolean(),
        notByAwsService: fc.boolean(),
        errorCodes: fc.uniqueArray(fc.constantFrom('AccessDenied', 'ThrottlingException', 'NoSuchEntity'), {
          minLength: 1,
        }),
      },
      { requiredKeys: ['source'] },
    );
    const synthetic = fc
      .array(fc.array(need, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 })
      .map((lists) =>
        lists.map((needs, i) => ({ ...detectors[0], id: `synthetic-${i}`, needs }) as Detector),
      );
    fc.assert(
      fc.property(synthetic, fc.integer({ min: 1000, max: 2048 }), (list, limit) => {
        const plans = planRules(list, undefined, limit);
        for (const plan of plans) expect(JSON.stringify(plan.pattern).length).toBeLessThanOrEqual(limit);
        const wantsReadOnly = new Set(list.filter((d) => d.needs.some((n) => n.readOnly)).map((d) => d.id));
        for (const plan of plans.filter((p) => p.readOnly)) {
          expect(plan.detectors.some((id) => wantsReadOnly.has(id))).toBe(true);
        }
        expectExactDelivery(
          list.flatMap((d) => d.needs),
          plans,
        );
      }),
      { numRuns: 60 },
    );
  });
});

function envelopeWith(errorCode: string): JsonRecord {
  return {
    source: 'aws.ec2',
    'detail-type': API_CALL_DETAIL_TYPE,
    detail: { eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', errorCode },
  };
}
