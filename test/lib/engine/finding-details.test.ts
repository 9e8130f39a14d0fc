import { describe, expect, it } from 'vitest';
import {
  boundDetails,
  MAX_DETAIL_CHARS,
  MAX_DETAIL_DEPTH,
  MAX_DETAIL_STRING,
  MAX_DETAIL_VALUES,
} from '../../../lib/engine/finding-details.ts';

/** Nested arrays `levels` deep, made by the parser as an attacker's request would be. */
const deep = (levels: number): unknown => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);

describe('boundDetails', () => {
  it('keeps real details as they are', () => {
    const details = {
      action: 'cloudtrail:StopLogging',
      request: {
        name: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/org',
        nested: { a: [1, true, null] },
      },
      accessKeys: [{ value: 'AKIAEXAMPLE', count: 3 }],
      missing: undefined,
    };
    expect(boundDetails(details)).toEqual(details);
  });

  it('cuts 100,000 levels of nesting, so the finding serializes (it overflowed JSON.stringify)', () => {
    const details = { request: { policy: deep(100_000) } };
    expect(() => JSON.stringify(details)).toThrow(RangeError);
    const bounded = boundDetails(details);
    const text = JSON.stringify(bounded);
    expect(text).toContain(`[nested deeper than ${MAX_DETAIL_DEPTH} levels]`);
    expect(text.length).toBeLessThan(200);
  });

  it('truncates a string of several MB, saying how much was cut', () => {
    const huge = 'x'.repeat(5 * 1024 * 1024);
    const { userAgent } = boundDetails({ userAgent: huge }) as { userAgent: string };
    expect(userAgent.startsWith('x'.repeat(MAX_DETAIL_STRING))).toBe(true);
    expect(userAgent).toMatch(/… \[5,226,496 more characters\]$/);
  });

  it('bounds the whole copy: values and characters over all strings', () => {
    const many = { list: Array.from({ length: 50_000 }, (_, i) => i) };
    const list = (boundDetails(many).list as unknown[]).slice(-1)[0];
    expect(list).toMatch(/more items \[omitted/);
    expect((boundDetails(many).list as unknown[]).length).toBe(MAX_DETAIL_VALUES);
    const wide = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'y'.repeat(10_000)]));
    expect(JSON.stringify(boundDetails(wide)).length).toBeLessThan(MAX_DETAIL_CHARS + 40 * 100);
  });

  it('keeps a __proto__ key as data, without touching any prototype', () => {
    const details = JSON.parse('{"request":{"__proto__":{"isAdmin":true}}}') as Record<string, unknown>;
    const bounded = boundDetails(details);
    expect(JSON.stringify(bounded)).toBe('{"request":{"__proto__":{"isAdmin":true}}}');
    expect(({} as { isAdmin?: boolean }).isAdmin).toBeUndefined();
    expect(Object.getPrototypeOf(bounded.request)).toBe(Object.prototype);
  });

  it('turns values JSON cannot hold into text', () => {
    expect(boundDetails({ n: Number.NaN, b: 10n, f: Number.POSITIVE_INFINITY })).toEqual({
      n: 'NaN',
      b: '10',
      f: 'Infinity',
    });
  });
});
