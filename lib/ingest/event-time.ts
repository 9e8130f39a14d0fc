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
  // Nearly every record is `YYYY-MM-DDTHH:mm:ssZ`: read it by hand (several times faster than the regex
  // and Date below, and it runs twice per record: ingestion's sort and normalization).
  if (text.length === CANONICAL_LENGTH) {
    const time = parseCanonical(text);
    if (time !== undefined) return time;
  }
  return parseLenient(text);
}

const CANONICAL_LENGTH = 20;
const MS_PER_DAY = 86_400_000;

/** The value of the two digits at `at`, or -1 when either is not a digit. */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const units = text.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && units >= 0 && units <= 9 ? tens * 10 + units : -1;
}

/**
 * `YYYY-MM-DDTHH:mm:ssZ` (`t`/space separator, `z` zone, as the regex accepts), as epoch ms; undefined
 * for any other text and for impossible times, which the lenient parser then judges the same way.
 */
function parseCanonical(text: string): number | undefined {
  const separator = text.charCodeAt(10);
  const zone = text.charCodeAt(19);
  if (
    text.charCodeAt(4) !== 45 /* - */ ||
    text.charCodeAt(7) !== 45 ||
    (separator !== 84 /* T */ && separator !== 116 /* t */ && separator !== 32) ||
    text.charCodeAt(13) !== 58 /* : */ ||
    text.charCodeAt(16) !== 58 ||
    (zone !== 90 /* Z */ && zone !== 122) /* z */
  )
    return undefined;
  const century = twoDigits(text, 0);
  const yy = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (century < 0 || yy < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  const year = century * 100 + yy;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return daysOf(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000;
}

// Records come in runs of the same day: the last day's number is kept rather than worked out again.
let lastDate = -1;
let lastDays = 0;

function daysOf(year: number, month: number, day: number): number {
  const date = (year * 16 + month) * 32 + day;
  if (date !== lastDate) {
    lastDays = daysFromCivil(year, month, day);
    lastDate = date;
  }
  return lastDays;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The general form: any separator, fraction and zone the regex accepts. */
function parseLenient(text: string): number | undefined {
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
  const offset = zoneOffsetMinutes(zone);
  if (offset === undefined) return undefined;
  // By hand rather than Date.UTC, which maps years 0-99 to 1900-1999 (and so rolled 0004-02-29 into March).
  const time =
    daysFromCivil(year, month, day) * MS_PER_DAY +
    ((hour * 60 + minute) * 60 + second) * 1000 +
    ms -
    offset * MS_PER_MINUTE;
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
