import { describe, expect, it } from 'vitest';
import { csvField, formatCsv } from '../../../lib/output/csv.ts';

describe('csvField', () => {
  it('leaves plain text, numbers and booleans alone', () => {
    expect(csvField('repo:acme/shop:ref:refs/heads/main')).toBe('repo:acme/shop:ref:refs/heads/main');
    expect(csvField(42)).toBe('42');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(false)).toBe('false');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField('')).toBe('');
  });

  it.each([
    ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
    ['+cmd|/c calc!A0', "'+cmd|/c calc!A0"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1', "'\t=1"],
    ['\r=1', `"'\r=1"`],
  ])('defuses a cell a spreadsheet would evaluate: %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('does not defuse a trigger character after the first', () => {
    expect(csvField('a=b')).toBe('a=b');
    expect(csvField(' =1')).toBe(' =1');
  });

  it('quotes a field holding a comma, quote or line break, doubling quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
  });
});

describe('formatCsv', () => {
  it('writes a header and one line per row, each ending in a newline', () => {
    const text = formatCsv(
      ['principal', 'count'],
      [
        ['arn:aws:iam::1:role/a', 3],
        ['=evil, "quoted"', 0],
      ],
    );
    expect(text).toBe('principal,count\narn:aws:iam::1:role/a,3\n"\'=evil, ""quoted""",0\n');
  });

  it('round-trips through a strict RFC 4180 reader', () => {
    const values = ['plain', 'a,b', 'q"q', 'line\nbreak', '=1+1', '', 'ünïcode'];
    const text = formatCsv(
      ['v'],
      values.map((v) => [v]),
    );
    expect(
      parseCsv(text)
        .slice(1)
        .map((row) => row[0]),
    ).toEqual(values.map((v) => (v.startsWith('=') ? `'${v}` : v)));
  });
});

/** A minimal RFC 4180 reader, independent of the writer. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  return rows;
}
