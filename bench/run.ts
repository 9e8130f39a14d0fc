/**
 * `npm run bench [-- --records 100000 --large 1000000 --rounds 5]`: how fast trailguard judges a trail
 * compared with merely parsing it, how its memory grows with the trail (records and files), what DynamoDB state costs per
 * event, how big the Lambda bundles are and how long they take to load, and what that makes per million
 * events. Prints a table and writes the raw results to `.bench/latest.json`. docs/PERFORMANCE.md explains
 * each figure and keeps the latest ones.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfigText } from '../lib/config/load-config.ts';
import { normalizeRecord } from '../lib/events/normalize.ts';
import type { NormalizedEvent } from '../lib/events/normalized-event.ts';
import { readCloudTrail } from '../lib/ingest/read-cloudtrail.ts';
import { measureBundles } from './bundles.ts';
import { REPO_ROOT } from './child.ts';
import { costPerMillion, DEFAULT_ASSUMPTIONS } from './cost-model.ts';
import { measureDynamoDb } from './dynamodb-requests.ts';
import { measureListing } from './listing.ts';
import { describeMachine } from './machine.ts';
import { formatReport, type Report } from './report.ts';
import { type ModeSummary, measureModes } from './throughput.ts';
import type { WorkerMode } from './throughput-worker.ts';
import { BENCH_CONFIG } from './trail.ts';
import { trailFiles } from './trail-files.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '100000' },
    large: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '5' },
    'large-rounds': { type: 'string', default: '2' },
    seed: { type: 'string', default: '7' },
    'dynamodb-events': { type: 'string', default: '5000' },
    'dynamodb-offset': { type: 'string', default: '20000' },
    'no-dynamodb': { type: 'boolean', default: false },
    'no-bundles': { type: 'boolean', default: false },
    'listing-days': { type: 'string', default: '30' },
    'import-runs': { type: 'string', default: '5' },
    'round-trip-ms': { type: 'string', default: String(DEFAULT_ASSUMPTIONS.roundTripMs) },
    out: { type: 'string', default: join(REPO_ROOT, '.bench', 'latest.json') },
  },
});

const count = (name: keyof typeof values) => {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number`);
  return value;
};

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** The short listing tree the long one is compared with. */
const LISTING_SMALL_DAYS = 3;

async function eventsOf(logs: string, offset: number, limit: number): Promise<NormalizedEvent[]> {
  const events: NormalizedEvent[] = [];
  let index = 0;
  for await (const item of readCloudTrail([logs])) {
    if (item.kind !== 'record') continue;
    if (index++ < offset) continue;
    const normalized = normalizeRecord(item.record);
    if (normalized.ok) events.push(normalized.event);
    if (events.length >= limit) break;
  }
  return events;
}

async function main(): Promise<void> {
  // The SDK warns on Node 20 at every client; the bench runs where the tests run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const machine = describeMachine();
  const records = count('records');
  const large = count('large');
  const rounds = Math.max(1, count('rounds'));
  const seed = count('seed');
  const root = join(REPO_ROOT, '.bench');
  const trailsDir = join(root, 'trails');

  log(`generating (or reusing) the ${records.toLocaleString('en-US')}-record trail`);
  const trail = await trailFiles(trailsDir, records, seed);
  const modes: WorkerMode[] = ['parse', 'detect', 'ingest', 'detect-stateless', 'parse-naive'];
  log(`throughput: ${rounds} rounds of ${modes.join(', ')}, each a fresh process`);
  const throughput = await measureModes(trail.logs, modes, rounds, (run) =>
    log(`  ${run.mode}: ${run.seconds.toFixed(2)} s, ${(run.maxRssBytes / 2 ** 20).toFixed(0)} MiB`),
  );

  let largeRun: Report['large'];
  if (large > 0) {
    log(`generating (or reusing) the ${large.toLocaleString('en-US')}-record trail`);
    const big = await trailFiles(trailsDir, large, seed);
    const largeRounds = Math.max(1, count('large-rounds'));
    log(`detect and parse over it, ${largeRounds} rounds`);
    const summaries = await measureModes(big.logs, ['detect', 'parse'], largeRounds);
    const detect = summaries.get('detect') as ModeSummary;
    const parse = summaries.get('parse') as ModeSummary;
    largeRun = { trail: { ...big, files: big.files.length }, detect, parse, rounds: largeRounds };
  }

  let listing: Report['listing'];
  const listingDays = count('listing-days');
  if (listingDays > 0) {
    log(`listing: AWSLogs trees of ${LISTING_SMALL_DAYS} and ${listingDays} days (built on first use)`);
    listing = await measureListing(root, LISTING_SMALL_DAYS, listingDays);
  }

  const config = parseConfigText(BENCH_CONFIG, 'bench.yaml');
  let dynamodb: Report['dynamodb'] = { skipped: '--no-dynamodb' };
  if (!values['no-dynamodb']) {
    const offset = count('dynamodb-offset');
    const events = await eventsOf(trail.logs, offset, count('dynamodb-events'));
    log(`DynamoDB Local: ${events.length} events (records ${offset}…) at batch sizes 1, 100, 500`);
    dynamodb = await measureDynamoDb(config, events, [1, 100, 500], offset);
    if ('skipped' in dynamodb) log(`DynamoDB skipped: ${dynamodb.skipped}`);
  }

  let bundles: Report['bundles'] = { skipped: '--no-bundles' };
  if (!values['no-bundles']) {
    log('bundling handlers/*.ts and timing cold imports');
    const outDir = join(root, 'bundles');
    await mkdir(outDir, { recursive: true });
    bundles = await measureBundles(outDir, Math.max(1, count('import-runs')));
  }

  const assumptions = { ...DEFAULT_ASSUMPTIONS, roundTripMs: count('round-trip-ms') };
  const costs = 'runs' in dynamodb ? dynamodb.runs.map((run) => costPerMillion(run, assumptions)) : [];
  machine.loadAverage.end = loadavg()[0] ?? 0;
  const report: Report = {
    date: new Date().toISOString(),
    machine,
    trail: { ...trail, files: trail.files.length, seed },
    rounds,
    throughput: Object.fromEntries(throughput) as Report['throughput'],
    large: largeRun,
    listing,
    dynamodb,
    bundles,
    assumptions,
    costs,
  };
  process.stdout.write(`${formatReport(report)}\n`);
  await mkdir(join(values.out, '..'), { recursive: true });
  await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
  log(`raw results: ${values.out}`);
}

await main();
