import { describe, expect, it } from 'vitest';
import { iamGlobMatches } from '../../../detectors/oidc-trust-policy/iam-glob.ts';

describe('iamGlobMatches', () => {
  it.each([
    ['*', '', true],
    ['*', 'anything:at/all', true],
    ['repo:org/*', 'repo:org/app:ref:refs/heads/main', true],
    ['repo:org/*', 'repo:org2/app', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
    ['exact', 'exact', true],
    ['exact', 'exactly', false],
  ])('%s against %s is %s', (pattern, value, expected) => {
    expect(iamGlobMatches(pattern, value)).toBe(expected);
  });

  it('stays linear on hostile patterns', () => {
    const started = performance.now();
    expect(iamGlobMatches(`${'*a'.repeat(50)}b`, 'a'.repeat(20_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
