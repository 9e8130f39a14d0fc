/** IAM `StringLike` matching: `*` any run of characters, `?` exactly one. Linear, no backtracking blow-up. */
export function iamGlobMatches(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    const char = pattern[p];
    if (char === '*') {
      star = p++;
      resume = v;
    } else if (p < pattern.length && (char === '?' || char === value[v])) {
      p++;
      v++;
    } else if (star >= 0) {
      p = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Whether an IAM condition value is a pattern at all (`*` or `?` anywhere). */
export const hasWildcard = (text: string): boolean => text.includes('*') || text.includes('?');
