const MAX_KEYS_SHOWN = 8;

/** A JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Extends a path inside a JSON value for messages: `Records[3]`, `awslogs.data`. */
export function childPath(where: string, key: string): string {
  return where === '' ? key : `${where}.${key}`;
}

/** The JSON type of a value for messages: `null`, `array`, `number`, …. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** The first few keys of an object for messages (`eventName, awsRegion, … 3 more`). */
export function listKeys(record: Record<string, unknown>): string {
  const keys = Object.keys(record);
  if (keys.length === 0) return 'none';
  const shown = keys.slice(0, MAX_KEYS_SHOWN).join(', ');
  return keys.length > MAX_KEYS_SHOWN ? `${shown}, … ${keys.length - MAX_KEYS_SHOWN} more` : shown;
}
