import { basename } from 'node:path';

/** A file to read: the path to show the user and the absolute path that identifies and orders it. */
export interface ListedFile {
  display: string;
  absolute: string;
}

/**
 * The delivery timestamp CloudTrail puts in S3 object names:
 * `<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz` (and `CloudTrail-Insight` files).
 * Region and suffix are matched loosely because anonymized copies rewrite them.
 */
const S3_OBJECT_NAME = /_CloudTrail(?:-Insight)?_[^_]+_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_[^_]+$/;

/**
 * The time (epoch ms, minute precision) in a CloudTrail S3 object name, or undefined when the file
 * name has none. Only the base name is looked at; any `.json`/`.gz` extensions are ignored.
 */
export function s3ObjectTime(file: string): number | undefined {
  const name = basename(file).replace(/(?:\.json)?(?:\.gz)?$/i, '');
  const match = S3_OBJECT_NAME.exec(name);
  if (!match) return undefined;
  const [, y, mo, d, h, mi] = match;
  const time = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi));
  return Number.isFinite(time) ? time : undefined;
}

/**
 * Orders files so a replay never depends on the order paths were given in: by the S3 object-name
 * timestamp, then files without one, each group by absolute path (compared by code unit, not
 * locale, so every machine agrees). Returns a new array.
 */
export function orderFiles(files: readonly ListedFile[]): ListedFile[] {
  return files
    .map((file) => ({ file, time: s3ObjectTime(file.absolute) }))
    .sort((a, b) => compareTimes(a.time, b.time) || comparePaths(a.file.absolute, b.file.absolute))
    .map(({ file }) => file);
}

function compareTimes(a: number | undefined, b: number | undefined): number {
  if (a === undefined) return b === undefined ? 0 : 1;
  if (b === undefined) return -1;
  return a - b;
}

/** Code-unit comparison: `localeCompare` varies with ICU data and locale. */
export function comparePaths(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
