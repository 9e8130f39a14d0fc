import { describe, expect, it } from 'vitest';
import { compileOnce } from '../../../lib/glob/compile-once.ts';

describe('compileOnce', () => {
  it('computes once per argument, by identity', () => {
    let calls = 0;
    const count = compileOnce((list: readonly string[]) => {
      calls++;
      return list.length;
    });
    const list = ['a', 'b'];
    expect(count(list)).toBe(2);
    expect(count(list)).toBe(2);
    expect(calls).toBe(1);
    expect(count(['a', 'b'])).toBe(2);
    expect(calls).toBe(2);
  });

  it('remembers an undefined result too', () => {
    let calls = 0;
    const nothing = compileOnce((_key: object) => {
      calls++;
      return undefined;
    });
    const key = {};
    nothing(key);
    nothing(key);
    expect(calls).toBe(1);
  });
});
