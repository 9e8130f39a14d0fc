import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { CloudTrailRecord } from './trail-records.ts';

const FILE_MS = 5 * 60_000;

function stamp(time: number): string {
  return new Date(time)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\d\d\.\d{3}Z$/, 'Z');
}

/**
 * Writes records as CloudTrail delivers them to S3: gzipped `{"Records":[...]}` files, one per account,
 * region and five-minute window, named `<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<id>.json.gz` under
 * `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`. Within a file the records are shuffled (CloudTrail
 * files are not ordered). Returns the file paths.
 */
export async function writeS3Trail(records: Iterable<CloudTrailRecord>, dir: string): Promise<string[]> {
  const windows = new Map<number, CloudTrailRecord[]>();
  for (const record of records) {
    const window = Math.floor(Date.parse(String(record.eventTime)) / FILE_MS) * FILE_MS;
    const list = windows.get(window) ?? [];
    list.push(record);
    windows.set(window, list);
  }
  const paths: string[] = [];
  for (const [window, list] of windows) {
    const first = list[0] as CloudTrailRecord;
    const account = String(first.recipientAccountId);
    const region = String(first.awsRegion);
    const delivered = window + FILE_MS;
    const day = new Date(window).toISOString().slice(0, 10).split('-');
    const folder = join(dir, 'AWSLogs', account, 'CloudTrail', region, ...day);
    await mkdir(folder, { recursive: true });
    // Reverse each file's records: readers must sort by eventTime, not trust file order.
    const body = JSON.stringify({ Records: [...list].reverse() });
    const path = join(
      folder,
      `${account}_CloudTrail_${region}_${stamp(delivered)}_${window.toString(36).padStart(16, '0')}.json.gz`,
    );
    await writeFile(path, gzipSync(body));
    paths.push(path);
  }
  return paths;
}
