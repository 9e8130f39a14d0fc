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

/** `value` when it is a plain JSON object, else undefined. */
export function objectValue(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

/** `object[key]` as a non-empty string. */
export function stringAt(object: JsonObject | undefined, key: string): string | undefined {
  return object === undefined ? undefined : nonEmptyString(object[key]);
}

/** `object[key]` as a JSON object. */
export function objectAt(object: JsonObject | undefined, key: string): JsonObject | undefined {
  return object === undefined ? undefined : objectValue(object[key]);
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
