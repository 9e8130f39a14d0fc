/**
 * Total readers for untrusted CloudTrail JSON. A value of the wrong type reads as missing, and so does
 * the empty string: CloudTrail writes `""` for absent values (`accessKeyId: ""`, IdentityCenterUser `arn: ""`).
 */

/** A JSON object (not null, not an array). */
export type JsonObject = Record<string, unknown>;

/** `value` when it is a non-empty string, else undefined. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** True when `value` is a plain JSON object (not null, not an array): the one such check. */
export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` when it is a plain JSON object, else undefined. */
export function objectValue(value: unknown): JsonObject | undefined {
  return isRecord(value) ? value : undefined;
}

/** `object[key]` as a non-empty string. */
export function stringAt(object: JsonObject | undefined, key: string): string | undefined {
  return object === undefined ? undefined : nonEmptyString(object[key]);
}

/** `object[key]` as a JSON object. */
export function objectAt(object: JsonObject | undefined, key: string): JsonObject | undefined {
  return object === undefined ? undefined : objectValue(object[key]);
}

/** Longer than any number CloudTrail writes as text; bounds the work on hostile input. */
const MAX_NUMBER_TEXT = 32;

/**
 * A finite number that CloudTrail may serialize either way: `3600` or `"3600"`. Anything else (objects,
 * arrays, booleans, `""`) is undefined, never coerced: `Number()` on an attacker's array calls its
 * `toString`, which recurses through every level of nesting and overflows the stack on deep input.
 */
export function numberValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_NUMBER_TEXT) return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/**
 * A boolean that CloudTrail may serialize either way: `true`/`false` or `"true"`/`"false"` (real captures
 * write `sessionCredentialFromConsole: "true"`, Panther tests write `true`). Anything else is undefined.
 */
export function booleanValue(value: unknown): boolean | undefined {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return undefined;
}
