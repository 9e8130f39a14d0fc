/**
 * Bounds what a finding's `details` carry. Detectors put event data there as they read it (audit-tampering
 * copies `requestParameters` whole), and that data is written by whoever made the call: 20,000 levels of
 * nested arrays made `JSON.stringify` overflow the stack in `detect --format json`, the SNS message and the
 * outbox, and a request of several MB made a finding of several MB. The copy keeps real details intact
 * (a few levels, short strings, short lists) and replaces what is past a bound with a note saying so.
 */

/** Levels below `details` kept; real request parameters nest a handful (policy → Statement → Condition). */
export const MAX_DETAIL_DEPTH = 10;
/** Characters kept of one string: above IAM's longest policy document (10,240) URL-encoded here and there. */
export const MAX_DETAIL_STRING = 16 * 1024;
/** Values (object entries and array items, at any level) kept in all. */
export const MAX_DETAIL_VALUES = 2_000;
/** Characters kept of one key (keys are event data too). */
const MAX_DETAIL_KEY = 256;
/** Characters kept over all strings, so a finding fits an SNS message and a DynamoDB item. */
export const MAX_DETAIL_CHARS = 64 * 1024;

interface Budget {
  values: number;
  chars: number;
}

const OMITTED = '[omitted: finding details over the size limit]';

/**
 * A JSON-safe copy of `details` within the bounds above; the same object shape for anything inside them.
 * Never throws, whatever the input (deep, huge, or values JSON cannot hold).
 */
export function boundDetails(details: Record<string, unknown>): Record<string, unknown> {
  return boundObject(details, 0, { values: MAX_DETAIL_VALUES, chars: MAX_DETAIL_CHARS });
}

function bound(value: unknown, depth: number, budget: Budget): unknown {
  if (value === null || value === undefined || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') return boundString(value, budget);
  if (typeof value !== 'object') return boundString(String(value), budget);
  if (depth >= MAX_DETAIL_DEPTH) return `[nested deeper than ${MAX_DETAIL_DEPTH} levels]`;
  return Array.isArray(value)
    ? boundArray(value, depth + 1, budget)
    : boundObject(value as Record<string, unknown>, depth + 1, budget);
}

function boundString(text: string, budget: Budget): string {
  const room = Math.min(MAX_DETAIL_STRING, budget.chars);
  if (text.length <= room) {
    budget.chars -= text.length;
    return text;
  }
  budget.chars -= room;
  return `${text.slice(0, room)}… [${(text.length - room).toLocaleString('en-US')} more characters]`;
}

function boundArray(list: readonly unknown[], depth: number, budget: Budget): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < list.length; i++) {
    if (budget.values <= 0) {
      out.push(`… ${(list.length - i).toLocaleString('en-US')} more items ${OMITTED}`);
      break;
    }
    budget.values--;
    out.push(bound(list[i], depth, budget));
  }
  return out;
}

function boundObject(
  object: Record<string, unknown>,
  depth: number,
  budget: Budget,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(object);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (budget.values <= 0) {
      out['…'] = `${(keys.length - i).toLocaleString('en-US')} more keys ${OMITTED}`;
      break;
    }
    budget.values--;
    const name = key.length > MAX_DETAIL_KEY ? `${key.slice(0, MAX_DETAIL_KEY)}…` : key;
    budget.chars = Math.max(0, budget.chars - name.length);
    // defineProperty: a `__proto__` key (JSON.parse makes it an own key) stays a key, not a prototype.
    Object.defineProperty(out, name, {
      value: bound(object[key], depth, budget),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
