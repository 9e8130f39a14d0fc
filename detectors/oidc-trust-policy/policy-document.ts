import { isRecord } from '../../lib/events/record-fields.ts';

/** The string values of a policy element: a scalar or an array of scalars (nested objects are skipped). */
export function policyStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (Array.isArray(value))
    return value.flatMap((item) => (typeof item === 'object' ? [] : policyStrings(item)));
  return [];
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * A policy document from a record: an object, a JSON string, or (in older records) a URL-encoded JSON
 * string (`%7B%22Version…`), possibly form-encoded with `+` for spaces.
 */
export function parsePolicyDocument(raw: unknown): Record<string, unknown> | undefined {
  if (isRecord(raw)) return raw;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  const candidates = text.startsWith('{') ? [text] : [decode(text), decode(text.replaceAll('+', ' '))];
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    try {
      const parsed: unknown = JSON.parse(candidate);
      if (isRecord(parsed)) return parsed;
    } catch {
      // Try the next decoding.
    }
  }
  return undefined;
}
