import { sep } from 'node:path';

/**
 * CloudTrail delivers log files to S3 under `…/CloudTrail/<region>/<YYYY>/<MM>/<DD>/`, one directory per
 * UTC delivery day, and names each file after its delivery minute on that day. A replay can therefore
 * take a day's directories one day at a time instead of listing months of files before reading the first.
 */

const YEAR = /^\d{4}$/;
const TWO_DIGITS = /^\d{2}$/;

/**
 * The UTC midnight (epoch ms) of the day a directory path stands for when it ends in `<YYYY>/<MM>/<DD>`
 * (a real calendar date), else undefined. Only the last three path segments are looked at.
 */
export function dayOfDirectory(path: string): number | undefined {
  const segments = path.split(sep).filter((segment) => segment !== '');
  const [year, month, day] = segments.slice(-3);
  if (year === undefined || month === undefined || day === undefined) return undefined;
  if (!YEAR.test(year) || !TWO_DIGITS.test(month) || !TWO_DIGITS.test(day)) return undefined;
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  const midnight = Date.UTC(y, m - 1, d);
  // Date.UTC rolls 2025/02/30 over into March: only a date that reads back the same is a day.
  const date = new Date(midnight);
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
    return undefined;
  return midnight;
}
