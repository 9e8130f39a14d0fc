import { parseEventTime } from '../ingest/event-time.ts';

/**
 * STS credential expiries (`responseElements.credentials.expiration`). CloudTrail writes them for humans,
 * `Apr 16, 2025, 3:46:56 AM` or `Sep 15, 2021 4:00:36 AM`, in UTC; some tools write ISO instead.
 * Parsed by hand: `Date.parse` would read the human form as local time.
 */

const MONTHS: ReadonlyMap<string, number> = new Map([
  ['jan', 0],
  ['feb', 1],
  ['mar', 2],
  ['apr', 3],
  ['may', 4],
  ['jun', 5],
  ['jul', 6],
  ['aug', 7],
  ['sep', 8],
  ['oct', 9],
  ['nov', 10],
  ['dec', 11],
]);

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
/** Longer than any real expiry; bounds the work on hostile input. */
const MAX_LENGTH = 48;

/** The decimal value of `text` when it is 1..`maxLength` digits, else -1. */
function digits(text: string, maxLength: number): number {
  if (text.length === 0 || text.length > maxLength) return -1;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** `Mon D, YYYY[,] h:mm:ss AM|PM` as UTC epoch ms. */
function parseHumanReadable(text: string): number | undefined {
  const words: string[] = [];
  for (const part of text.replaceAll(',', ' ').split(' ')) if (part.length > 0) words.push(part);
  if (words.length !== 5) return undefined;
  const [monthName = '', dayText = '', yearText = '', clock = '', meridiem = ''] = words;
  const month = monthName.length >= 3 ? MONTHS.get(monthName.slice(0, 3).toLowerCase()) : undefined;
  const day = digits(dayText, 2);
  const year = yearText.length === 4 ? digits(yearText, 4) : -1;
  const [hourText = '', minuteText = '', secondText = '', extra] = clock.split(':');
  const hour = digits(hourText, 2);
  const minute = minuteText.length === 2 ? digits(minuteText, 2) : -1;
  const second = secondText.length === 2 ? digits(secondText, 2) : -1;
  const half = meridiem.toUpperCase();
  if (month === undefined || year < 0 || extra !== undefined || (half !== 'AM' && half !== 'PM'))
    return undefined;
  if (day < 1 || day > (DAYS_IN_MONTH[month] ?? 0) || (month === 1 && day === 29 && !isLeapYear(year))) {
    return undefined;
  }
  if (hour < 1 || hour > 12 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  // 12:xx AM is just after midnight, 12:xx PM just after noon.
  const hour24 = (hour % 12) + (half === 'PM' ? 12 : 0);
  return Date.UTC(year, month, day, hour24, minute, second);
}

/** Epoch milliseconds of a credential expiry, ISO or human-readable (UTC); undefined when neither. */
export function parseExpiration(text: unknown): number | undefined {
  if (typeof text !== 'string' || text.length > MAX_LENGTH) return undefined;
  return parseEventTime(text) ?? parseHumanReadable(text);
}
