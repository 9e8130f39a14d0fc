import { describe, expect, it } from 'vitest';
import { jsonText } from '../../../lib/output/json-text.ts';
import { HOSTILE_TEXT, RAW_TERMINAL_CONTROL } from '../../helpers/hostile-text.ts';

describe('jsonText', () => {
  it('writes no raw C1 control, bidi override or zero-width character (JSON.stringify does)', () => {
    const value = { subject: 'c1\u009b31m', name: 'admin\u202egnp.exe', z: 'a\u200bb\u2066c' };
    expect(JSON.stringify(value)).toMatch(RAW_TERMINAL_CONTROL);
    const text = jsonText(value);
    expect(text).not.toMatch(RAW_TERMINAL_CONTROL);
    expect(text).toContain('\\u009b');
    expect(text).toContain('\\u202e');
  });

  it('parses back to the same value, indented or not', () => {
    const value = { list: HOSTILE_TEXT, nested: { text: HOSTILE_TEXT.join('') } };
    expect(JSON.parse(jsonText(value))).toEqual(value);
    expect(JSON.parse(jsonText(value, 2))).toEqual(value);
    expect(jsonText({ plain: 'ünïcødé 🔥' })).toBe(JSON.stringify({ plain: 'ünïcødé 🔥' }));
  });
});
