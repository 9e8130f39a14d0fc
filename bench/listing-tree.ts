import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The regions of a trail that logs everywhere (all enabled-by-default regions). */
const REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
] as const;
const ACCOUNT = '123456789012';
/** CloudTrail delivers a file about every five minutes per region. */
const FILES_PER_DAY = 288;
const FIRST_DAY = Date.UTC(2026, 9, 1);

/** An `AWSLogs` tree of empty files named and placed as CloudTrail delivers them: what listing costs. */
export interface ListingTree {
  logs: string;
  days: number;
  regions: number;
  files: number;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * `days` days of one account's trail in every default region (17 × 288 files a day), as empty files: the
 * listing only reads names. Built on first use under `root` and reused (a month is 146,880 files).
 */
export async function listingTree(root: string, days: number): Promise<ListingTree> {
  const dir = join(root, `listing-d${days}`);
  const tree: ListingTree = {
    logs: join(dir, 'AWSLogs'),
    days,
    regions: REGIONS.length,
    files: days * REGIONS.length * FILES_PER_DAY,
  };
  const marker = join(dir, 'complete.json');
  try {
    if ((JSON.parse(await readFile(marker, 'utf8')) as ListingTree).files === tree.files) return tree;
  } catch {
    // Not built yet (or half built): build it again.
  }
  await rm(dir, { recursive: true, force: true });
  for (let d = 0; d < days; d++) {
    const date = new Date(FIRST_DAY + d * 86_400_000);
    const [y, m, day] = [date.getUTCFullYear(), pad(date.getUTCMonth() + 1), pad(date.getUTCDate())];
    for (const region of REGIONS) {
      const dayDir = join(tree.logs, ACCOUNT, 'CloudTrail', region, String(y), m, day);
      await mkdir(dayDir, { recursive: true });
      const writes: Promise<void>[] = [];
      for (let f = 0; f < FILES_PER_DAY; f++) {
        const minute = f * 5;
        const stamp = `${y}${m}${day}T${pad(Math.floor(minute / 60))}${pad(minute % 60)}Z`;
        const unique = `${region}${f}`.replaceAll('-', '').padEnd(16, 'x').slice(0, 16);
        writes.push(
          writeFile(join(dayDir, `${ACCOUNT}_CloudTrail_${region}_${stamp}_${unique}.json.gz`), ''),
        );
      }
      await Promise.all(writes);
    }
  }
  await writeFile(marker, JSON.stringify(tree));
  return tree;
}
