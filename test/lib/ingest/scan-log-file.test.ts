import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanLogFile } from '../../../lib/ingest/scan-log-file.ts';
import { loadFixture, record } from './helpers.ts';

/** The pieces a layout names: each record's text and its `eventTime` text. */
function pieces(bytes: Buffer, layout: Int32Array): { text: string; time: string }[] {
  const out: { text: string; time: string }[] = [];
  for (let i = 0; i < layout.length; i += 4) {
    out.push({
      text: bytes.toString('utf8', layout[i], layout[i + 1]),
      time: bytes.toString('utf8', layout[i + 2], layout[i + 3]),
    });
  }
  return out;
}

const file = (text: string) => Buffer.from(text, 'utf8');

describe('scanLogFile', () => {
  it('finds every record of a real S3 log file and its eventTime', async () => {
    // test/fixtures/ingest: a log file of mixed service traffic (cloud-snitch sample data).
    const log = await loadFixture('cloud-snitch-s3-log-file-222-mixed-service-traffic.json');
    const records = log.Records as Record<string, unknown>[];
    const bytes = file(JSON.stringify(log));
    const layout = scanLogFile(bytes);
    expect(layout).toBeDefined();
    const found = pieces(bytes, layout as Int32Array);
    expect(found.map((p) => JSON.parse(p.text))).toEqual(records);
    expect(found.map((p) => p.time)).toEqual(records.map((r) => r.eventTime));
  });

  it('cuts only between records: a nested array of record-like objects stays inside its record', () => {
    const forged = [{ a: 1 }, record('forged-1', '2020-01-01T00:00:00Z'), record('forged-2')];
    const host = record('host', '2025-01-01T00:00:05Z', { requestParameters: { items: forged } });
    const log = { Records: [record('first', '2025-01-01T00:00:09Z'), host, record('last')] };
    const bytes = file(JSON.stringify(log));
    const found = pieces(bytes, scanLogFile(bytes) as Int32Array);
    expect(found.map((p) => JSON.parse(p.text).eventID)).toEqual(['first', 'host', 'last']);
    expect(found[1]?.time).toBe('2025-01-01T00:00:05Z');
  });

  it("takes the record's own eventTime, not one nested before it", () => {
    const nested = { eventVersion: '1.08', userIdentity: { eventTime: '1999-01-01T00:00:00Z' } };
    const bytes = file(JSON.stringify({ Records: [{ ...nested, eventTime: '2025-01-01T00:00:00Z' }] }));
    expect(pieces(bytes, scanLogFile(bytes) as Int32Array)[0]?.time).toBe('2025-01-01T00:00:00Z');
  });

  it('accepts a byte-order mark, whitespace between records and after the end, and UTF-8 text', () => {
    const text = `\ufeff{"Records":[${JSON.stringify(record('a'))} ,\n${JSON.stringify(record('é'))}]}\n`;
    const bytes = file(text);
    const found = pieces(bytes, scanLogFile(bytes) as Int32Array);
    expect(found.map((p) => JSON.parse(p.text).eventID)).toEqual(['a', 'é']);
  });

  it.each([
    ['pretty-printed', JSON.stringify({ Records: [record('a')] }, null, 2)],
    ['no Records', JSON.stringify({ Events: [record('a')] })],
    ['empty Records', '{"Records":[]}'],
    ['a key after Records', `{"Records":[${JSON.stringify(record('a'))}],"x":1}`],
    ['truncated', JSON.stringify({ Records: [record('a'), record('b')] }).slice(0, -20)],
    ['an unterminated string', '{"Records":[{"eventTime":"2025-01-01T00:00:00Z","x":"]}'],
    ['a record that is no object', `{"Records":[${JSON.stringify(record('a'))},42]}`],
    ['a record without eventTime', `{"Records":[{"eventName":"X"}]}`],
    ['eventTime that is no string', '{"Records":[{"eventTime":1735689600000}]}'],
    ['eventTime written with an escape', '{"Records":[{"eventTime":"2025-01-01T00:00:00\\u005a"}]}'],
    [
      'a key written with an escape',
      '{"Records":[{"event\\u0054ime":"x","eventTime":"2025-01-01T00:00:00Z"}]}',
    ],
    [
      'two eventTime keys',
      '{"Records":[{"eventTime":"2025-01-01T00:00:00Z","eventTime":"2026-01-01T00:00:00Z"}]}',
    ],
    ['a record that holds records', `{"Records":[{"eventTime":"x","Records":[]}]}`],
    [
      'an EventBridge envelope',
      '{"Records":[{"eventTime":"x","detail-type":"AWS API Call via CloudTrail"}]}',
    ],
    ['a missing comma', `{"Records":[${JSON.stringify(record('a'))}${JSON.stringify(record('b'))}]}`],
    ['a doubled comma', `{"Records":[${JSON.stringify(record('a'))},,${JSON.stringify(record('b'))}]}`],
    ['a trailing comma', `{"Records":[${JSON.stringify(record('a'))},]}`],
    ['a stray colon between records', `{"Records":[${JSON.stringify(record('a'))}:]}`],
  ])('declines a file with %s (the general parser takes it)', (_name, text) => {
    expect(scanLogFile(file(text))).toBeUndefined();
  });
});

/** Values a record may hold, weighted towards what could confuse a scanner. */
const value = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant([{ a: 1 }, record('forged', '2020-01-01T00:00:00Z'), { eventVersion: '1.08' }]),
  fc.constant({ eventTime: '1999-01-01T00:00:00Z', Records: [] }),
  fc.constant('},{"eventVersion":"1.08","eventTime":"2020-01-01T00:00:00Z"'),
  fc.constant('a "quoted" \\ back\\\\slash ]}'),
  fc.string({ unit: 'binary' }),
);

const key = fc.oneof(
  {
    arbitrary: fc.constantFrom('eventVersion', 'userIdentity', 'eventTime', 'eventName', 'requestParameters'),
    weight: 4,
  },
  { arbitrary: fc.constantFrom('Records', 'Events', 'detail-type', 'messageType', 'awslogs'), weight: 1 },
  { arbitrary: fc.string({ maxLength: 12 }), weight: 4 },
);

const time = fc.oneof(
  fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms).toISOString().replace('.000', '')),
  fc.constantFrom('2024-06-02 20:16:22.000000000', 'not a time', '', 'é'),
);

/** A record: CloudTrail's own keys in CloudTrail's order, then arbitrary entries (which may override them). */
const generatedRecord = fc
  .tuple(
    time,
    fc.option(value),
    fc.array(fc.tuple(key, value), { maxLength: 3 }),
    fc.nat(9).map((n) => n > 0),
  )
  .map(([eventTime, parameters, entries, withTime]): Record<string, unknown> => {
    const own: [string, unknown][] = [
      ['eventVersion', '1.08'],
      ['userIdentity', { type: 'AssumedRole' }],
    ];
    if (withTime) own.push(['eventTime', eventTime]);
    if (parameters !== null) own.push(['requestParameters', parameters]);
    // fromEntries makes own properties of every key, `__proto__` included, as JSON.parse does.
    return Object.fromEntries([...own, ...entries]);
  });

describe('scanLogFile against JSON.parse (property)', () => {
  it('when it finds a layout, its pieces are exactly the Records elements and their eventTime strings', () => {
    let laidOut = 0;
    fc.assert(
      fc.property(fc.array(generatedRecord, { minLength: 1, maxLength: 6 }), (records) => {
        const bytes = file(JSON.stringify({ Records: records }));
        const layout = scanLogFile(bytes);
        if (layout === undefined) return;
        laidOut++;
        const found = pieces(bytes, layout);
        expect(found.map((p) => JSON.parse(p.text))).toEqual(JSON.parse(bytes.toString('utf8')).Records);
        expect(found.map((p) => p.time)).toEqual(records.map((r) => r.eventTime));
      }),
      { numRuns: 400 },
    );
    // The property must exercise the layouts, not only the files declined.
    expect(laidOut).toBeGreaterThan(80);
  });

  it('finds a layout for every file of plain records, whatever their parameters hold', () => {
    const plain = fc
      .tuple(time, value)
      .map(([eventTime, parameters]) => ({ eventVersion: '1.08', eventTime, requestParameters: parameters }));
    fc.assert(
      fc.property(fc.array(plain, { minLength: 1, maxLength: 6 }), (records) => {
        expect(scanLogFile(file(JSON.stringify({ Records: records })))).toBeDefined();
      }),
      { numRuns: 200 },
    );
  });
});
