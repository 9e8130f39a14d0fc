import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../../../lib/ingest/decode.ts';
import { ingestDecoded, ingestedItems } from '../../../lib/ingest/ingest-source.ts';
import { LazyLogFile } from '../../../lib/ingest/lazy-log-file.ts';
import { scanLogFile } from '../../../lib/ingest/scan-log-file.ts';
import { DEFAULT_MAX_FILE_BYTES } from '../../../lib/ingest/types.ts';
import { record } from './helpers.ts';

function lazy(text: string): LazyLogFile {
  const bytes = Buffer.from(text, 'utf8');
  const layout = scanLogFile(bytes);
  if (layout === undefined) throw new Error('expected a layout');
  return new LazyLogFile('log.json', bytes, layout);
}

/** What the general parser makes of the same text. */
function whole(text: string) {
  return ingestedItems(
    ingestDecoded('log.json', decodeText(Buffer.from(text, 'utf8')), DEFAULT_MAX_FILE_BYTES),
  );
}

describe('LazyLogFile', () => {
  it('hands out records in eventTime order (stable, untimed last), with their times and file indexes', () => {
    const records = [
      record('c', '2025-01-01T00:00:02Z'),
      record('untimed', 'yesterday'),
      record('a', '2025-01-01T00:00:00Z'),
      record('b', '2025-01-01T00:00:02Z'),
    ];
    const source = lazy(JSON.stringify({ Records: records }));
    const taken: [unknown, number, number | undefined][] = [];
    for (let r = source.next(); r !== undefined; r = source.next())
      taken.push([r.eventID, source.time, source.origin().index]);
    expect(taken).toEqual([
      ['a', Date.parse('2025-01-01T00:00:00Z'), 2],
      ['c', Date.parse('2025-01-01T00:00:02Z'), 0],
      ['b', Date.parse('2025-01-01T00:00:02Z'), 3],
      ['untimed', Number.NaN, 1],
    ]);
    expect(source.skips).toEqual([]);
  });

  it('skips a record that is not valid JSON on its own, and hands out the rest', () => {
    const good = (id: string, time: string) => JSON.stringify(record(id, time));
    const text = `{"Records":[${good('a', '2025-01-01T00:00:01Z')},{"eventTime":"2025-01-01T00:00:00Z","x":tru},${good('b', '2025-01-01T00:00:02Z')}]}`;
    const items = ingestedItems(lazy(text));
    expect(items.map((item) => (item.kind === 'record' ? item.record.eventID : item.reason))).toEqual([
      expect.stringMatching(/^Records\[1\]: not JSON: /),
      'a',
      'b',
    ]);
    expect(items[0]?.origin).toEqual({ file: 'log.json', index: 1 });
    // The whole-file parser has to give up the file.
    expect(whole(text).map((item) => item.kind)).toEqual(['skip']);
  });

  it('hands each record out once, then nothing for good', () => {
    const source = lazy(JSON.stringify({ Records: [record('a'), record('b')] }));
    expect([source.next()?.eventID, source.next()?.eventID]).toEqual(['a', 'b']);
    expect(source.next()).toBeUndefined();
    expect(source.next()).toBeUndefined();
  });
});

const time = fc.oneof(
  fc
    .integer({ min: 1_600_000_000, max: 1_600_000_100 })
    .map((s) => new Date(s * 1000).toISOString().replace('.000', '')),
  fc.constantFrom('2020-09-13 12:26:40.000000000', 'not a time'),
);
const parameters = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constant([{ a: 1 }, record('forged', '2020-01-01T00:00:00Z'), record('forged-2')]),
  fc.constant({ eventTime: '1999-01-01T00:00:00Z' }),
);
const logFile = fc
  .array(
    fc.tuple(fc.uuid(), time, parameters).map(([id, t, p]) => record(id, t, { requestParameters: p })),
    { minLength: 1, maxLength: 12 },
  )
  .map((records) => JSON.stringify({ Records: records }));

describe('LazyLogFile against the whole-file parser (property)', () => {
  it('gives the same items in the same order: records, origins and skips', () => {
    fc.assert(
      fc.property(logFile, (text) => {
        expect(ingestedItems(lazy(text))).toEqual(whole(text));
      }),
      { numRuns: 300 },
    );
  });
});
