import { describe, expect, it } from 'vitest';
import { csvField, formatCsv } from '../../../lib/output/csv.ts';
import { readCsv } from '../../helpers/csv-reader.ts';

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
    // Spaces first, or the full-width sign: spreadsheets that trim or normalize still run these.
    [' =1+1', "' =1+1"],
    ['\u00a0\u3000+1', "'\u00a0\u3000+1"],
    ['\uff1dHYPERLINK("http://evil.example")', `"'\uff1dHYPERLINK(""http://evil.example"")"`],
    ['\uff0b1', "'\uff0b1"],
    ['\uff0d1', "'\uff0d1"],
    ['\uff20SUM(A1)', "'\uff20SUM(A1)"],
  ])('defuses a cell a spreadsheet would evaluate: %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('escapes tab and CR, so a cell cannot start with them as a trigger or hide text on a terminal', () => {
    expect(csvField('\t=1')).toBe('\\u{9}=1');
    expect(csvField('\r=1')).toBe('\\u{d}=1');
    expect(csvField('innocent\rdeploy-prod')).toBe('innocent\\u{d}deploy-prod');
  });

  it('escapes ESC, C1, bidi and zero-width controls that a terminal would act on', () => {
    expect(csvField('\u001b]0;owned\u0007ci-bot')).toBe('\\u{1b}]0;owned\\u{7}ci-bot');
    expect(csvField('\u009b31mred')).toBe('\\u{9b}31mred');
    expect(csvField('main\u202egnp.exe')).toBe('main\\u{202e}gnp.exe');
    expect(csvField('ma\u200bin')).toBe('ma\\u{200b}in');
    expect(csvField('\u007f')).toBe('\\u{7f}');
  });

  it('does not defuse a trigger character after the first visible one', () => {
    expect(csvField('a=b')).toBe('a=b');
    expect(csvField('x =1')).toBe('x =1');
    expect(csvField('ünïcode ＝ text')).toBe('ünïcode ＝ text');
  });

  it('quotes a field holding a comma, quote or line break, doubling quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
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
      readCsv(text)
        .slice(1)
        .map((row) => row[0]),
    ).toEqual(values.map((v) => (v.startsWith('=') ? `'${v}` : v)));
  });
});
