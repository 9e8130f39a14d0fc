import { describe, expect, it } from 'vitest';
import { isRecord, numberValue, objectValue } from '../../../lib/events/record-fields.ts';

describe('numberValue', () => {
  it('reads numbers and numeric text as CloudTrail writes them', () => {
    expect(numberValue(3600)).toBe(3600);
    expect(numberValue('3600')).toBe(3600);
    expect(numberValue(' 900 ')).toBe(900);
  });

  it('reads everything else as missing, without coercing it', () => {
    for (const value of [null, undefined, '', ' ', true, {}, [3600], 'abc', Number.NaN, Infinity, '1e999']) {
      expect(numberValue(value)).toBeUndefined();
    }
  });

  it('does not recurse into a deeply nested array (Number() of one overflowed the stack)', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    expect(() => Number(deep)).toThrow(RangeError);
    expect(numberValue(deep)).toBeUndefined();
  });
});

describe('isRecord', () => {
  it('is true for plain JSON objects only', () => {
    for (const value of [{}, { a: 1 }, Object.create(null)]) expect(isRecord(value)).toBe(true);
    for (const value of [null, undefined, [], [1], 'text', 1, true]) {
      expect(isRecord(value)).toBe(false);
      expect(objectValue(value)).toBeUndefined();
    }
  });
});
