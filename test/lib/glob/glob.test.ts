import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compiledGlobs, compileGlob, matchesAny } from '../../../lib/glob/glob.ts';

describe('compileGlob', () => {
  it.each([
    ['repo:acme/shop:ref:refs/heads/main', 'repo:acme/shop:ref:refs/heads/main', true],
    ['repo:acme/shop:ref:refs/heads/main', 'repo:acme/shop:ref:refs/heads/main2', false],
    ['repo:acme/*', 'repo:acme/shop:ref:refs/heads/main', true],
    ['repo:acme/*', 'repo:acme-evil/shop:pull_request', false],
    ['repo:acme/shop:*', 'repo:acme/shop:environment:production', true],
    ['*:environment:production', 'repo:acme/shop:environment:production', true],
    ['arn:aws:iam::*:role/deploy-*', 'arn:aws:iam::111122223333:role/deploy-prod', true],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'acb', false],
    ['a*a', 'a', false],
    ['*', '', true],
    ['a**b', 'ab', true],
  ])('%s ~ %s → %s', (pattern, value, expected) => {
    expect(compileGlob(pattern).matches(value)).toBe(expected);
  });

  it('treats regex metacharacters literally', () => {
    expect(compileGlob('repo:a.b/(c)+:ref:[x]').matches('repo:a.b/(c)+:ref:[x]')).toBe(true);
    expect(compileGlob('repo:a.b').matches('repo:aXb')).toBe(false);
  });

  it('stays linear on hostile subjects (no backtracking blow-up)', () => {
    const subject = `${'a'.repeat(200_000)}b`;
    const started = performance.now();
    expect(compileGlob('*a*a*a*a*a*a*a*a*c').matches(subject)).toBe(false);
    // Generous bound: a backtracking matcher needs astronomically longer on this input.
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('agrees with a reference regex on random inputs', () => {
    const alphabet = fc.constantFrom('a', 'b', ':', '/', '*');
    fc.assert(
      fc.property(
        fc.string({ unit: alphabet, maxLength: 8 }),
        fc.string({ unit: alphabet, maxLength: 12 }),
        (pattern, value) => {
          const reference = new RegExp(
            `^${pattern
              .split('*')
              .map((p) => p.replace(/[/:]/g, '\\$&'))
              .join('.*')}$`,
            's',
          );
          const literalValue = value.replaceAll('*', 'x');
          expect(compileGlob(pattern).matches(literalValue)).toBe(reference.test(literalValue));
        },
      ),
    );
  });
});

describe('compiledGlobs', () => {
  it('compiles a list once and reuses it while the list lives', () => {
    const patterns = ['repo:acme/*', 'iam:Put*'];
    const globs = compiledGlobs(patterns);
    expect(compiledGlobs(patterns)).toBe(globs);
    expect(compiledGlobs([...patterns])).not.toBe(globs);
    expect(matchesAny(globs, 'repo:acme/shop')).toBe(true);
  });

  it('compiles lowered patterns apart from the exact ones', () => {
    const patterns = ['iam:Put*'];
    expect(matchesAny(compiledGlobs(patterns), 'iam:putrolepolicy')).toBe(false);
    expect(matchesAny(compiledGlobs(patterns, { lowerCase: true }), 'iam:putrolepolicy')).toBe(true);
    expect(compiledGlobs(patterns, { lowerCase: true })).not.toBe(compiledGlobs(patterns));
  });
});
