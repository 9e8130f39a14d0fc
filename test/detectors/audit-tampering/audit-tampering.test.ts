import { describe, expect, it } from 'vitest';
import { auditTampering } from '../../../detectors/audit-tampering/audit-tampering.ts';
import { evaluate, testConfig } from '../../helpers/config.ts';
import { corpusEvent, corpusRecords, derivedEvent, derivedRecord, variant } from '../../helpers/records.ts';

const config = testConfig();

describe('audit-tampering: the corpus guardrail records', () => {
  it.each([
    ['stratus-cloudtrail-stoplogging-iamuser.json', 0, 'critical'],
    ['stratus-cloudtrail-deletetrail-iamuser.json', 0, 'critical'],
    ['stratus-cloudtrail-puteventselectors-exclude-management-iamuser.json', 0, 'critical'],
    ['panther-puteventselectors-disabled-vs-enabled.json', 0, 'critical'],
    // Keeps management events: a configuration change, not a blinding.
    ['panther-puteventselectors-disabled-vs-enabled.json', 1, 'medium'],
    ['panther-stoplogging-startlogging-and-error.json', 0, 'critical'],
    ['panther-stoplogging-startlogging-and-error.json', 1, undefined],
    // InvalidTrailNameException: the caller had the permission and missed.
    ['panther-stoplogging-startlogging-and-error.json', 2, 'medium'],
    ['awsdocs-updatetrail-trailnotfound-error-and-console-update.json', 0, 'medium'],
    ['awsdocs-updatetrail-trailnotfound-error-and-console-update.json', 1, 'high'],
    ['panther-updatetrail-via-vpc-endpoint.json', 0, 'high'],
    ['panther-deletetrail-success-and-conflictexception.json', 0, 'critical'],
    ['panther-deletetrail-success-and-conflictexception.json', 1, 'medium'],
    ['stratus-ec2-deleteflowlogs-iamuser.json', 0, 'high'],
    ['stratus-route53resolver-deleteresolverquerylogconfig-iamuser.json', 0, 'high'],
    ['stratus-organizations-leaveorganization-denied-after-assumerole.json', 0, undefined],
    // Denied: still an attempt to leave the organization (and its SCPs and org trail).
    ['stratus-organizations-leaveorganization-denied-after-assumerole.json', 1, 'high'],
    ['elastic-grimoire-guardduty-deletedetector.json', 0, 'critical'],
    ['elastic-grimoire-config-stopconfigurationrecorder.json', 0, 'critical'],
  ])('%s #%i → %s', (file, index, severity) => {
    expect(evaluate(auditTampering, corpusEvent(`guardrail/${file}`, index), config)?.severity).toBe(
      severity,
    );
  });

  it('names the action, target, caller and outcome', () => {
    const finding = evaluate(
      auditTampering,
      corpusEvent('guardrail/stratus-cloudtrail-stoplogging-iamuser.json'),
      config,
    );
    expect(finding).toMatchObject({ principal: 'arn:aws:iam::143434273843:user/christophe' });
    expect(finding?.summary).toBe(
      'cloudtrail:StopLogging on stratus-red-team-ct-stop-trail-buykxbqejv by arn:aws:iam::143434273843:user/christophe [success]',
    );
    expect(finding?.details).toMatchObject({
      accessKeyId: 'AKIAGGWFBBHBE7D3M9WI',
      sourceIp: '86.245.153.234',
    });
  });

  it('says whether event selectors still log management writes', () => {
    const file = 'guardrail/panther-puteventselectors-disabled-vs-enabled.json';
    const off = evaluate(auditTampering, corpusEvent(file, 0), config);
    const on = evaluate(auditTampering, corpusEvent(file, 1), config);
    expect(off?.summary).toContain('management writes no longer logged');
    expect(on?.summary).toContain('management writes still logged');
    expect(on?.details).toMatchObject({ managementWritesLogged: true, target: 'sample-cloudtrail-name' });
  });

  it('reads advanced event selectors', () => {
    const record = corpusRecords('guardrail/panther-puteventselectors-disabled-vs-enabled.json')[1] ?? {};
    const advanced = (fieldSelectors: unknown[]) =>
      variant(record, (copy) => {
        copy.requestParameters = {
          trailName: 'main',
          advancedEventSelectors: [{ name: 'x', fieldSelectors }],
        };
      });
    const management = { field: 'eventCategory', equals: ['Management'] };
    const data = [
      { field: 'eventCategory', equals: ['Data'] },
      { field: 'resources.type', equals: ['AWS::S3::Object'] },
    ];
    expect(evaluate(auditTampering, advanced([management]), config)?.severity).toBe('medium');
    expect(evaluate(auditTampering, advanced(data), config)?.severity).toBe('critical');
    expect(
      evaluate(auditTampering, advanced([management, { field: 'readOnly', equals: ['true'] }]), config)
        ?.severity,
    ).toBe('critical');
  });
});

describe("audit-tampering: trailguard's own rules, functions and protected log groups", () => {
  it("is critical when trailguard's EventBridge rule is deleted", () => {
    const finding = evaluate(auditTampering, derivedEvent('eventbridge-deleterule-trailguard'), config);
    expect(finding).toMatchObject({
      severity: 'critical',
      details: { target: 'trailguard-cloudtrail-events' },
    });
  });

  it('reads the rule from the error message of a denied attempt without request parameters', () => {
    const finding = evaluate(
      auditTampering,
      derivedEvent('eventbridge-disablerule-trailguard-denied'),
      config,
    );
    expect(finding).toMatchObject({
      severity: 'high',
      details: { target: 'trailguard-cloudtrail-events', outcome: 'denied' },
    });
  });

  it("ignores rules that are not trailguard's, and honours ownRules", () => {
    const other = variant(derivedRecord('eventbridge-deleterule-trailguard'), (record) => {
      record.requestParameters.name = 'team-billing-alerts';
    });
    expect(evaluate(auditTampering, other, config)).toBeUndefined();
    const custom = testConfig({ detectors: { 'audit-tampering': { ownRules: ['team-*'] } } });
    expect(evaluate(auditTampering, other, custom)?.severity).toBe('critical');
  });

  it('rates PutRule by the state it sets', () => {
    const putRule = (state: string) =>
      variant(derivedRecord('eventbridge-deleterule-trailguard'), (record) => {
        record.eventName = 'PutRule';
        record.requestParameters = { name: 'trailguard-cloudtrail-events', state };
      });
    expect(evaluate(auditTampering, putRule('DISABLED'), config)?.severity).toBe('critical');
    expect(evaluate(auditTampering, putRule('ENABLED'), config)?.severity).toBe('high');
  });

  it("treats zero reserved concurrency on trailguard's function as disabling it", () => {
    expect(
      evaluate(auditTampering, derivedEvent('lambda-putfunctionconcurrency-zero-trailguard'), config),
    ).toMatchObject({
      severity: 'critical',
      details: { action: 'lambda:PutFunctionConcurrency', target: 'trailguard-detector' },
    });
    const five = variant(derivedRecord('lambda-putfunctionconcurrency-zero-trailguard'), (record) => {
      record.requestParameters.reservedConcurrentExecutions = 5;
    });
    expect(evaluate(auditTampering, five, config)?.severity).toBe('medium');
  });

  it('matches function ARNs by name (the real UpdateFunctionCode record)', () => {
    const event = corpusEvent('long-lived-key/stratus-lambda-updatefunctioncode-iamuser.json');
    expect(evaluate(auditTampering, event, config)).toBeUndefined();
    const own = testConfig({ detectors: { 'audit-tampering': { ownFunctions: ['stratus-red-team-*'] } } });
    expect(evaluate(auditTampering, event, own)).toMatchObject({
      severity: 'critical',
      details: { target: 'stratus-red-team-olc-func-vayhjqkdav' },
    });
  });

  it('reports deletion of a protected log group only', () => {
    expect(evaluate(auditTampering, derivedEvent('logs-deleteloggroup-cloudtrail'), config)?.severity).toBe(
      'high',
    );
    const app = variant(derivedRecord('logs-deleteloggroup-cloudtrail'), (record) => {
      record.requestParameters.logGroupName = '/aws/lambda/checkout';
    });
    expect(evaluate(auditTampering, app, config)).toBeUndefined();
  });

  it('reports GuardDuty being disabled, not other detector updates', () => {
    expect(evaluate(auditTampering, derivedEvent('guardduty-updatedetector-disable'), config)?.severity).toBe(
      'critical',
    );
    const enable = variant(derivedRecord('guardduty-updatedetector-disable'), (record) => {
      record.requestParameters.enable = true;
    });
    expect(evaluate(auditTampering, enable, config)).toBeUndefined();
  });
});

describe('audit-tampering: allow-list', () => {
  const stop = () => corpusEvent('guardrail/stratus-cloudtrail-stoplogging-iamuser.json');

  it('skips an allowed principal for an allowed action only', () => {
    const allow = testConfig({
      detectors: {
        'audit-tampering': {
          allow: [{ principal: 'arn:aws:iam::143434273843:user/*', action: 'cloudtrail:StopLogging' }],
        },
      },
    });
    expect(evaluate(auditTampering, stop(), allow)).toBeUndefined();
    expect(
      evaluate(auditTampering, corpusEvent('guardrail/stratus-cloudtrail-deletetrail-iamuser.json'), allow)
        ?.severity,
    ).toBe('critical');
  });

  it('matches assumed roles by role ARN, and actions alone', () => {
    const role = testConfig({
      detectors: { 'audit-tampering': { allow: [{ principal: 'arn:aws:iam::123456789012:role/*' }] } },
    });
    expect(
      evaluate(
        auditTampering,
        corpusEvent('guardrail/panther-stoplogging-startlogging-and-error.json'),
        role,
      ),
    ).toBeUndefined();
    const action = testConfig({
      detectors: { 'audit-tampering': { allow: [{ action: 'cloudtrail:UpdateTrail' }] } },
    });
    expect(
      evaluate(auditTampering, corpusEvent('guardrail/panther-updatetrail-via-vpc-endpoint.json'), action),
    ).toBeUndefined();
  });

  it('rejects an entry that would allow everything', () => {
    expect(() => testConfig({ detectors: { 'audit-tampering': { allow: [{}] } } })).toThrow(
      /principal or an action/,
    );
  });
});

describe('audit-tampering: needs', () => {
  it('lists exact event names per source, Lambda with its versioned names', () => {
    const sources = auditTampering.needs.map((need) => need.source);
    expect(new Set(sources).size).toBe(sources.length);
    expect(auditTampering.needs).toContainEqual(
      expect.objectContaining({
        source: 'lambda.amazonaws.com',
        names: expect.arrayContaining(['PutFunctionConcurrency20171031']),
      }),
    );
    expect(auditTampering.needs).toContainEqual(
      expect.objectContaining({
        source: 'cloudtrail.amazonaws.com',
        names: expect.arrayContaining(['StopLogging', 'PutEventSelectors']),
      }),
    );
    expect(auditTampering.needs.every((need) => need.names !== undefined && need.names.length > 0)).toBe(
      true,
    );
    expect(auditTampering.needs.flatMap((need) => need.names)).not.toContain('StartLogging');
  });
});
