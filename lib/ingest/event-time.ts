/**
 * `YYYY-MM-DD`, `T` or a space, `HH:mm[:ss[.fraction]]`, optional zone. CloudTrail writes
 * `2025-04-16T02:46:56Z`; Panther-normalized exports write `2024-06-02 20:16:22.000000000` (no zone, UTC).
 */
const EVENT_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;

const MS_PER_MINUTE = 60_000;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/**
 * Parses a CloudTrail `eventTime` leniently into epoch milliseconds.
 *
 * Accepts ISO 8601 (`2025-04-16T02:46:56Z`, with or without fractional seconds or an offset) and the
 * Panther-normalized form (`2024-06-02 20:16:22.000000000`: space separator, nanoseconds, no zone). A
 * missing zone means UTC, as CloudTrail only ever writes UTC. Fractions past milliseconds are truncated.
 *
 * @returns epoch milliseconds, or undefined when `text` is not a string or not a real calendar time
 *   (so `2025-02-30T00:00:00Z` is undefined rather than silently rolled into March).
 */
export function parseEventTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = EVENT_TIME.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  // Date.UTC maps years 0-99 to 1900-1999; set the year explicitly so every 4-digit year means itself.
  date.setUTCFullYear(year);
  const offset = zoneOffsetMinutes(zone);
  if (offset === undefined) return undefined;
  const time = date.getTime() - offset * MS_PER_MINUTE;
  return Number.isFinite(time) ? time : undefined;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2 && isLeapYear(year)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Minutes east of UTC; undefined for an impossible offset such as `+25:00`. */
function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || /^(?:z|utc)$/i.test(zone)) return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}
