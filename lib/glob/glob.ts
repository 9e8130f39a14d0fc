import { compileOnce } from './compile-once.ts';

/**
 * Globs over attacker-controlled strings (OIDC subjects, ARNs). `*` matches any run of characters,
 * including `/` and `:`; every other character is literal. Compiled once into literal segments and
 * matched with `indexOf`, so matching is linear in the subject: no regular expressions, no backtracking
 * blow-up on long hostile subjects.
 */
export interface Glob {
  readonly pattern: string;
  /** True when the pattern has no `*`. */
  readonly literal: boolean;
  matches(value: string): boolean;
}

export function compileGlob(pattern: string): Glob {
  const parts = pattern.split('*');
  if (parts.length === 1) {
    return { pattern, literal: true, matches: (value) => value === pattern };
  }
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  const middle = parts.slice(1, -1).filter((part) => part.length > 0);
  const minLength = first.length + last.length;
  return {
    pattern,
    literal: false,
    matches(value) {
      if (value.length < minLength || !value.startsWith(first) || !value.endsWith(last)) return false;
      // Leftmost-greedy placement of each middle segment is optimal for `*`-only globs.
      let position = first.length;
      const end = value.length - last.length;
      for (const segment of middle) {
        const found = value.indexOf(segment, position);
        if (found < 0 || found + segment.length > end) return false;
        position = found + segment.length;
      }
      return true;
    },
  };
}

/** True when any of the globs matches. */
export function matchesAny(globs: readonly Glob[], value: string): boolean {
  for (const glob of globs) if (glob.matches(value)) return true;
  return false;
}

const exactGlobs = compileOnce((patterns: readonly string[]): readonly Glob[] => patterns.map(compileGlob));
const lowerCaseGlobs = compileOnce((patterns: readonly string[]): readonly Glob[] =>
  patterns.map((pattern) => compileGlob(pattern.toLowerCase())),
);

/**
 * The globs of a config list, compiled once per list (see compileOnce). `lowerCase` compiles the lowered
 * patterns, for values compared case-insensitively (IAM actions, user agents): lower the value too.
 */
export function compiledGlobs(
  patterns: readonly string[],
  options: { lowerCase?: boolean } = {},
): readonly Glob[] {
  return options.lowerCase === true ? lowerCaseGlobs(patterns) : exactGlobs(patterns);
}
