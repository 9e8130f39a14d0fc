import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTROL_MESSAGE_SKIP_REASON } from '../../../lib/ingest/types.ts';
import { type Unwrapped, unwrapValue } from '../../../lib/ingest/unwrap.ts';
import { awslogsEvent, loadFixture, logsPayload, record } from './helpers.ts';

const ids = (entries: Unwrapped[]) => entries.flatMap((e) => (e.kind === 'record' ? [e.record.eventID] : []));
const reasons = (entries: Unwrapped[]) => entries.flatMap((e) => (e.kind === 'skip' ? [e.reason] : []));

describe('unwrapValue', () => {
  it('passes a single CloudTrail record through as is', async () => {
    const fixture = await loadFixture('assume-role-with-web-identity-github-success-cloud-snitch.json');
    expect(unwrapValue(fixture)).toEqual([{ kind: 'record', record: fixture }]);
  });

  it('accepts an Insights event, which has insightDetails but no eventName', () => {
    const insight = { eventVersion: '1.08', eventID: 'i', insightDetails: { state: 'Start' } };
    expect(ids(unwrapValue(insight))).toEqual(['i']);
  });

  it('unwraps an S3 log file, skipping just the entries that are not objects, with their index', () => {
    const entries = unwrapValue({ Records: [record('a'), 7, null, record('b'), 'x'] });
    expect(ids(entries)).toEqual(['a', 'b']);
    expect(reasons(entries)).toEqual([
      'Records[1]: not a JSON object (number)',
      'Records[2]: not a JSON object (null)',
      'Records[4]: not a JSON object (string)',
    ]);
  });

  it('unwraps the real S3 log fixture in file order', async () => {
    const entries = unwrapValue(await loadFixture('cloud-snitch-s3-log-file-222-mixed-service-traffic.json'));
    expect(entries).toHaveLength(8);
    expect(entries.every((e) => e.kind === 'record')).toBe(true);
  });

  it('skips a Records key that is not an array', () => {
    expect(reasons(unwrapValue({ Records: {} }))).toEqual(['Records: not an array (object)']);
  });

  it.each([
    'AWS API Call via CloudTrail',
    'AWS Console Action via CloudTrail',
    'AWS Service Event via CloudTrail',
    'AWS Console Sign In via CloudTrail',
    'AWS Console Signin via CloudTrail',
    'AWS Insight via CloudTrail',
  ])('unwraps an EventBridge "%s" event to its detail', (detailType) => {
    const event = { version: '0', 'detail-type': detailType, source: 'aws.sts', detail: record('d') };
    expect(unwrapValue(event)).toEqual([{ kind: 'record', record: record('d') }]);
  });

  it('unwraps the documented EventBridge fixtures', async () => {
    const apiCall = await loadFixture('eventbridge-envelope-api-call-createbucket-root-awsdocs.json');
    const signIn = await loadFixture('eventbridge-envelope-console-signin-root-awsdocs.json');
    expect(unwrapValue(apiCall)).toEqual([{ kind: 'record', record: apiCall.detail }]);
    expect(unwrapValue(signIn)).toEqual([{ kind: 'record', record: signIn.detail }]);
  });

  it('skips an EventBridge event without an object detail, naming the detail-type', () => {
    for (const detail of [undefined, null, 'x', [record('a')]]) {
      const [entry] = unwrapValue({ 'detail-type': 'AWS API Call via CloudTrail', detail });
      expect(entry?.kind).toBe('skip');
      expect(entry?.kind === 'skip' && entry.reason).toMatch(
        /^EventBridge event "AWS API Call via CloudTrail" without a detail object/,
      );
    }
  });

  it('skips an EventBridge event whose detail is not CloudTrail', () => {
    const event = {
      'detail-type': 'EC2 Instance State-change Notification',
      detail: { 'instance-id': 'i-1', state: 'running' },
    };
    expect(reasons(unwrapValue(event))).toEqual([
      'detail: not a CloudTrail record (detail-type "EC2 Instance State-change Notification"; keys: instance-id, state)',
    ]);
  });

  it('unwraps arrays of records and envelopes, nested', () => {
    const value = [
      record('a'),
      { 'detail-type': 'AWS API Call via CloudTrail', detail: record('b') },
      [{ Records: [record('c')] }],
    ];
    expect(ids(unwrapValue(value))).toEqual(['a', 'b', 'c']);
  });

  it('unwraps aws cloudtrail lookup-events output, parsing each CloudTrailEvent string', () => {
    const output = {
      Events: [
        { EventId: 'a', EventName: 'GetCallerIdentity', CloudTrailEvent: JSON.stringify(record('a')) },
        { EventId: 'b', CloudTrailEvent: '{"broken' },
        { EventId: 'c' },
        { EventId: 'd', CloudTrailEvent: record('d') },
      ],
      NextToken: 'x',
    };
    const entries = unwrapValue(output);
    expect(ids(entries)).toEqual(['a', 'd']);
    expect(reasons(entries)).toHaveLength(2);
    expect(reasons(entries)[0]).toMatch(/^Events\[1\]\.CloudTrailEvent: not JSON: /);
    expect(reasons(entries)[1]).toBe('Events[2]: lookup-events entry without a CloudTrailEvent (undefined)');
  });

  it('unwraps a CloudWatch Logs subscription payload, message by message', () => {
    const payload = logsPayload([record('a'), record('b')]);
    payload.logEvents.push({ id: 'x', timestamp: 0, message: 'not json at all' });
    const entries = unwrapValue(payload);
    expect(ids(entries)).toEqual(['a', 'b']);
    expect(reasons(entries)[0]).toMatch(/^logEvents\[2\]\.message: not JSON: /);
  });

  it('unwraps the raw Lambda form awslogs.data (base64 of gzip)', () => {
    expect(ids(unwrapValue(awslogsEvent(logsPayload([record('a'), record('b')]))))).toEqual(['a', 'b']);
  });

  it('skips awslogs.data that is not gzip of JSON', () => {
    const notGzip = { awslogs: { data: Buffer.from('hello').toString('base64') } };
    expect(reasons(unwrapValue(notGzip))[0]).toMatch(/^awslogs\.data: not JSON: /);
    const truncated = {
      awslogs: { data: awslogsEvent(logsPayload([record('a')])).awslogs.data.slice(0, 24) },
    };
    expect(reasons(unwrapValue(truncated))[0]).toMatch(
      /^awslogs\.data: truncated gzip \(unexpected end of file\)/,
    );
  });

  it('counts a CONTROL_MESSAGE as a quiet skip with a bare reason, in both forms', () => {
    const control = logsPayload([], 'CONTROL_MESSAGE');
    const quiet = { kind: 'skip', reason: CONTROL_MESSAGE_SKIP_REASON, quiet: true };
    expect(unwrapValue(control)).toEqual([quiet]);
    expect(unwrapValue(awslogsEvent(control))).toEqual([quiet]);
  });

  it('skips objects that are clearly not CloudTrail, listing their keys', () => {
    expect(reasons(unwrapValue({ foo: 1, bar: 2 }))).toEqual(['not a CloudTrail record (keys: foo, bar)']);
    expect(reasons(unwrapValue({}))).toEqual(['not a CloudTrail record (keys: none)']);
    const wide = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i]));
    expect(reasons(unwrapValue(wide))[0]).toMatch(/keys: k0, .*k7, … 2 more\)$/);
  });

  it('ignores inherited keys: only own keys make a record', () => {
    expect(reasons(unwrapValue(JSON.parse('{"__proto__": {"eventName": "x"}}')))).toEqual([
      'not a CloudTrail record (keys: __proto__)',
    ]);
  });

  it('skips non-object values', () => {
    expect(reasons(unwrapValue(42))).toEqual(['not a JSON object (number)']);
    expect(reasons(unwrapValue('x'))).toEqual(['not a JSON object (string)']);
    expect(reasons(unwrapValue(null))).toEqual(['not a JSON object (null)']);
    expect(unwrapValue([])).toEqual([]);
  });

  it('gives up on absurd nesting with a skip rather than recursing forever', () => {
    let value: unknown = record('deep');
    for (let i = 0; i < 50; i++) value = [value];
    expect(reasons(unwrapValue(value))).toHaveLength(1);
    expect(reasons(unwrapValue(value))[0]).toMatch(/nested too deeply/);
  });

  it('never throws and only yields records with a CloudTrail key (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) =>
        unwrapValue(value).every(
          (entry) =>
            entry.kind === 'skip' ||
            ['eventTime', 'eventName', 'eventSource', 'userIdentity', 'insightDetails'].some(
              (k) => k in entry.record,
            ),
        ),
      ),
    );
  });
});
