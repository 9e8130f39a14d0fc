const MAX_KEYS_SHOWN = 8;
/** Characters of one piece of input text quoted in a message (a key, a detail-type). */
const MAX_QUOTED = 64;

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

/**
 * Input text quoted in a skip reason, cut to a few dozen characters: a key or a detail-type can be
 * megabytes long in a hostile file, and the reason is printed on stderr and grouped in the run summary.
 */
export function quoted(text: string): string {
  return text.length <= MAX_QUOTED ? text : `${text.slice(0, MAX_QUOTED)}…`;
}

/** The first few keys of an object for messages (`eventName, awsRegion, … 3 more`). */
export function listKeys(record: Record<string, unknown>): string {
  const keys = Object.keys(record);
  if (keys.length === 0) return 'none';
  const shown = keys.slice(0, MAX_KEYS_SHOWN).map(quoted).join(', ');
  return keys.length > MAX_KEYS_SHOWN ? `${shown}, … ${keys.length - MAX_KEYS_SHOWN} more` : shown;
}
