import { describe, expect, it } from 'vitest';
import { parseText } from '../../../lib/ingest/parse-text.ts';
import { splitConcatenatedJson } from '../../../lib/ingest/split-concatenated.ts';

describe('parseText', () => {
  it('parses a whole JSON document, even one spread over many lines', () => {
    expect(parseText('{\n  "a": 1,\n  "b": [1, 2]\n}\n')).toEqual([{ ok: true, value: { a: 1, b: [1, 2] } }]);
  });

  it('treats several lines that do not form one document as JSON Lines, with 1-based line numbers', () => {
    expect(parseText('{"a":1}\n\n{"b":2}\r\n')).toEqual([
      { ok: true, value: { a: 1 }, line: 1 },
      { ok: true, value: { b: 2 }, line: 3 },
    ]);
  });

  it('keeps the good lines of a JSON Lines file and names the broken one', () => {
    const [first, broken, last] = parseText('{"a":1}\n{"a":\n{"c":3}');
    expect(first).toEqual({ ok: true, value: { a: 1 }, line: 1 });
    expect(broken).toMatchObject({ ok: false, line: 2 });
    expect(broken?.ok === false && broken.reason).toMatch(/^line 2: not JSON: /);
    expect(last).toEqual({ ok: true, value: { c: 3 }, line: 3 });
  });

  it('reports a truncated pretty-printed document once, not once per line', () => {
    const result = parseText('{\n  "Records": [\n    {"eventName": "x"},\n    {}\n');
    expect(result).toHaveLength(1);
    expect(result[0]).toMatchObject({ ok: false });
    expect(result[0]?.ok === false && result[0].reason).toMatch(/^not JSON: /);
  });

  it('does not take lines of scalars for JSON Lines', () => {
    expect(parseText('hello\n42\n')).toEqual([{ ok: false, reason: expect.stringMatching(/^not JSON: /) }]);
  });

  it('reads back-to-back JSON texts (Firehose delivery of CloudWatch Logs payloads)', () => {
    expect(parseText('{"a":"}{"}{"b":2}[3]')).toEqual([
      { ok: true, value: { a: '}{' } },
      { ok: true, value: { b: 2 } },
      { ok: true, value: [3] },
    ]);
  });

  it('reports an empty or blank file', () => {
    expect(parseText('')).toEqual([{ ok: false, reason: 'empty file' }]);
    expect(parseText(' \n\t\n')).toEqual([{ ok: false, reason: 'empty file' }]);
  });

  it('reports plain non-JSON with the parser message', () => {
    const [result] = parseText('not json');
    expect(result?.ok === false && result.reason).toMatch(/^not JSON: Unexpected token/);
  });
});

describe('splitConcatenatedJson', () => {
  it('splits top-level objects and arrays, honouring strings and escapes', () => {
    expect(splitConcatenatedJson(' {"a":"\\"}"} [1,{"b":[]}]\n')).toEqual({
      parts: ['{"a":"\\"}"}', '[1,{"b":[]}]'],
      truncated: false,
    });
  });

  it('flags a cut-off last value', () => {
    expect(splitConcatenatedJson('{"a":1}{"b":')).toEqual({ parts: ['{"a":1}'], truncated: true });
  });

  it('refuses text with top-level scalars or stray closers', () => {
    expect(splitConcatenatedJson('{"a":1} 2')).toBeUndefined();
    expect(splitConcatenatedJson('"x"')).toBeUndefined();
    expect(splitConcatenatedJson('{}}')).toBeUndefined();
  });
});
