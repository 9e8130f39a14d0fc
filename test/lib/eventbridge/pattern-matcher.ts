import type { EventPattern } from '../../../lib/eventbridge/event-patterns.ts';

/**
 * EventBridge's matching, for the parts of the pattern language trailguard emits: nested objects (AND),
 * arrays of values (OR; an array in the event matches when any element does), exact scalars,
 * `prefix`, `suffix`, `anything-but` (a list of strings) and `$or` at any object level. Anything else in a pattern throws, so a test cannot
 * pass on a filter this matcher does not understand.
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return false;
  const fields = event as Record<string, unknown>;
  for (const [key, expected] of Object.entries(pattern)) {
    if (key === '$or') {
      const branches = expected as EventPattern[];
      if (!branches.some((branch) => matchesPattern(branch, event))) return false;
      continue;
    }
    if (!Object.hasOwn(fields, key)) return false;
    const actual = fields[key];
    if (Array.isArray(expected)) {
      const values = Array.isArray(actual) ? actual : [actual];
      if (!values.some((value) => expected.some((filter) => matchesValue(filter, value)))) return false;
    } else if (!matchesPattern(expected as EventPattern, actual)) return false;
  }
  return true;
}

function matchesValue(filter: unknown, value: unknown): boolean {
  if (filter === null || typeof filter !== 'object') return filter === value;
  const entries = Object.entries(filter);
  const [operator, operand] = entries[0] ?? [];
  if (entries.length === 1 && operator === 'anything-but' && Array.isArray(operand))
    return typeof value === 'string' && !operand.includes(value);
  if (entries.length !== 1 || typeof operand !== 'string')
    throw new Error(`unsupported filter ${JSON.stringify(filter)}`);
  if (typeof value !== 'string') return false;
  if (operator === 'prefix') return value.startsWith(operand);
  if (operator === 'suffix') return value.endsWith(operand);
  throw new Error(`unsupported filter ${JSON.stringify(filter)}`);
}
