import { sep } from 'node:path';

/**
 * CloudTrail delivers log files to S3 under `…/CloudTrail/<region>/<YYYY>/<MM>/<DD>/`, one directory per
 * UTC delivery day, and names each file after its delivery minute on that day. So a year directory holds
 * nothing delivered before its first day, a month nothing before its first, a day nothing before its
 * midnight, and a replay can open each only when it gets there instead of listing months of files before
 * reading the first.
 */

const YEAR = /^\d{4}$/;
const TWO_DIGITS = /^\d{2}$/;
/** Earlier "years" are not CloudTrail's, and `Date.UTC` reads years below 100 as 19xx. */
const FIRST_YEAR = 1970;

/**
 * The UTC start (epoch ms) of the period a directory path stands for: a day when it ends in
 * `<YYYY>/<MM>/<DD>` (a real calendar date), else a month when it ends in `<YYYY>/<MM>`, else a year when
 * it ends in `<YYYY>`; undefined for any other directory.
 */
export function periodOfDirectory(path: string): number | undefined {
  const [year, month, day] = path
    .split(sep)
    .filter((segment) => segment !== '')
    .slice(-3);
  return dayStart(year, month, day) ?? monthStart(month, day) ?? yearStart(day);
}

function yearStart(year: string | undefined): number | undefined {
  if (year === undefined || !YEAR.test(year) || Number(year) < FIRST_YEAR) return undefined;
  return Date.UTC(Number(year), 0, 1);
}

function monthStart(year: string | undefined, month: string | undefined): number | undefined {
  if (yearStart(year) === undefined || month === undefined || !TWO_DIGITS.test(month)) return undefined;
  const m = Number(month);
  return m >= 1 && m <= 12 ? Date.UTC(Number(year), m - 1, 1) : undefined;
}

function dayStart(year: string | undefined, month: string | undefined, day: string | undefined) {
  if (monthStart(year, month) === undefined || day === undefined || !TWO_DIGITS.test(day)) return undefined;
  const [y, m, d] = [Number(year), Number(month), Number(day)];
  const midnight = Date.UTC(y, m - 1, d);
  // Date.UTC rolls 2025/02/30 over into March: only a date that reads back the same is a day.
  return new Date(midnight).getUTCDate() === d && d >= 1 ? midnight : undefined;
}
