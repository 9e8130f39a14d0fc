import type { BundlesResult } from './bundles.ts';
import type { CostAssumptions, CostLine } from './cost-model.ts';
import type { DynamoDbResult } from './dynamodb-requests.ts';
import type { ListingReport } from './listing.ts';
import type { ListingResult } from './listing-worker.ts';
import type { Machine } from './machine.ts';
import type { ModeSummary } from './throughput.ts';
import type { WorkerMode } from './throughput-worker.ts';

/** Everything one `npm run bench` measured: what `.bench/latest.json` holds. */
export interface Report {
  date: string;
  machine: Machine;
  trail: { dir: string; records: number; files: number; bytes: number; seed: number };
  rounds: number;
  throughput: Record<WorkerMode, ModeSummary>;
  large?: {
    trail: { dir: string; records: number; files: number; bytes: number };
    detect: ModeSummary;
    parse: ModeSummary;
    rounds: number;
  };
  listing?: ListingReport;
  dynamodb: DynamoDbResult;
  bundles: BundlesResult;
  assumptions: CostAssumptions;
  costs: CostLine[];
}

/** The targets. */
export const TARGETS = {
  /** Detection throughput as a share of the parse-only baseline's, same files, same run. */
  minRatio: 0.75,
  /** Peak RSS at the large trail over the small one. */
  maxRssGrowth: 0.2,
  maxBundleBytes: 1_500_000,
  maxImportMs: 300,
  /** Ours, not the issue's: live heap while listing the long tree over the short one (one day held at a time). */
  maxListingHeapGrowth: 2,
} as const;

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const fixed = (n: number, digits: number) => n.toFixed(digits);
const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');

/** Detect over parse, by median wall time: the figure the target is about. */
export function ratioOf(report: Report): { wall: number; best: number; cpu: number } {
  const { parse, detect } = report.throughput;
  return {
    wall: detect.recordsPerSecond / parse.recordsPerSecond,
    best: parse.bestSeconds / detect.bestSeconds,
    cpu: detect.recordsPerCpuSecond / parse.recordsPerCpuSecond,
  };
}

function table(rows: string[][], align: ('l' | 'r')[]): string[] {
  const widths = align.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  return rows.map((row) =>
    row
      .map((cell, c) => (align[c] === 'r' ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

const LABELS: Record<WorkerMode, string> = {
  parse: 'parse only: read, gunzip, decode, JSON.parse',
  'parse-naive': 'parse only, zlib and Buffer defaults',
  ingest: 'ingest only: read as detect reads, judge nothing',
  'detect-stateless': 'detect, event (stateless) detectors only',
  detect: 'detect, all detectors (trailguard detect)',
};

export function formatReport(report: Report): string {
  const { machine, trail, throughput } = report;
  const out: string[] = [];
  out.push(
    `trailguard bench  ${report.date}`,
    `machine: ${machine.cpuModel}, nproc ${machine.nproc}, ${mib(machine.totalMemoryBytes)} RAM, node ${machine.node}, ` +
      `load average ${machine.loadAverage.start.toFixed(1)} → ${(machine.loadAverage.end ?? Number.NaN).toFixed(1)}`,
    `trail: ${int(trail.records)} records in ${trail.files} gzipped S3 log files (${mib(trail.bytes)}), seed ${trail.seed}`,
    '',
    `throughput (median of ${report.rounds} runs, each a fresh process; same files)`,
  );
  const parse = throughput.parse;
  const rows = [['', 'records/s', 'vs parse', 'best s', 'CPU s', 'peak RSS', 'findings']];
  for (const mode of ['parse', 'parse-naive', 'ingest', 'detect-stateless', 'detect'] as const) {
    const m = throughput[mode];
    if (!m) continue;
    rows.push([
      LABELS[mode],
      int(m.recordsPerSecond),
      fixed(m.recordsPerSecond / parse.recordsPerSecond, 2),
      fixed(m.bestSeconds, 2),
      fixed(m.cpuSeconds, 2),
      mib(m.maxRssBytes),
      mode.startsWith('detect') ? String(m.findings) : '-',
    ]);
  }
  out.push(...table(rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r']).map((line) => `  ${line}`));
  const ratio = ratioOf(report);
  out.push(
    `  detect / parse: ${fixed(ratio.wall, 2)} by median wall time (best runs ${fixed(ratio.best, 2)}, CPU time ${fixed(ratio.cpu, 2)})`,
  );
  const ingest = throughput.ingest;
  if (ingest) {
    out.push(
      `  detect / ingest only: ${fixed(throughput.detect.recordsPerSecond / ingest.recordsPerSecond, 2)} by median wall time (what detection itself costs)`,
    );
  }

  if (report.large) {
    const { large } = report;
    const growth = large.detect.maxRssBytes / throughput.detect.maxRssBytes - 1;
    out.push(
      '',
      `peak RSS of detect (median): ${mib(throughput.detect.maxRssBytes)} at ${int(trail.records)} records, ` +
        `${mib(large.detect.maxRssBytes)} at ${int(large.trail.records)} (${growth >= 0 ? '+' : ''}${fixed(100 * growth, 1)}%)`,
      `  at ${int(large.trail.records)} records: detect ${int(large.detect.recordsPerSecond)} records/s, ` +
        `parse ${int(large.parse.recordsPerSecond)} records/s (${fixed(large.detect.recordsPerSecond / large.parse.recordsPerSecond, 2)}), median of ${large.rounds}`,
    );
  }

  if (report.listing) {
    const { small, large } = report.listing;
    const tree = large.tree;
    out.push(
      '',
      `listing an AWSLogs tree (one account, ${tree.regions} regions, ${int(tree.files / tree.days / tree.regions)} files a day each; empty files, names as CloudTrail writes them)`,
    );
    const lRows = [['', 'files', 'first file ms', 'all files ms', 'live heap']];
    const row = (label: string, r: ListingResult) => [
      label,
      int(r.files),
      fixed(r.firstFileMs, 0),
      fixed(r.totalMs, 0),
      `${fixed(r.liveHeapBytes / 2 ** 20, 1)} MiB`,
    ];
    lRows.push(row(`${small.tree.days} days, streamed (trailguard detect)`, small.stream));
    lRows.push(row(`${tree.days} days, streamed (trailguard detect)`, large.stream));
    lRows.push(row(`${tree.days} days, listed whole first`, large.whole));
    out.push(...table(lRows, ['l', 'r', 'r', 'r', 'r']).map((line) => `  ${line}`));
  }

  out.push('');
  if ('skipped' in report.dynamodb) out.push(`DynamoDB: skipped (${report.dynamodb.skipped})`);
  else {
    const { dynamodb } = report;
    out.push(
      `DynamoDB state, DynamoDB Local: ${int(dynamodb.events)} events from record ${int(dynamodb.offset)}`,
    );
    const dRows = [
      [
        'batch',
        'requests/event',
        'counted',
        'counter req/counted',
        'RRU/event',
        'WRU/event',
        'round trips/batch',
        'CPU ms/batch',
        'local ms/batch',
      ],
    ];
    for (const run of dynamodb.runs) {
      dRows.push([
        String(run.batchSize),
        fixed(run.requestsPerEvent, 3),
        int(run.countedEntries),
        fixed(run.counterRequestsPerEntry, 3),
        fixed(run.rruPerEvent, 3),
        fixed(run.wruPerEvent, 3),
        fixed(run.roundTripsPerBatch, 2),
        fixed(run.cpuMsPerBatch, 2),
        fixed(run.wallMsPerBatch, 1),
      ]);
    }
    out.push(...table(dRows, ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']).map((line) => `  ${line}`));
    const sizes = Object.entries(dynamodb.itemSizes)
      .map(([kind, s]) => `${kind} ${int(s.meanBytes)} B mean / ${int(s.maxBytes)} B max (${s.items})`)
      .join('; ');
    out.push(`  item sizes after batch 1: ${sizes || 'none'}`);
  }

  out.push('');
  if ('skipped' in report.bundles) out.push(`Lambda bundles: ${report.bundles.skipped}`);
  else {
    out.push(
      'Lambda bundles (esbuild as infra/handler-function.ts builds them; cold import in a fresh node)',
    );
    const bRows = [['handler', 'bytes', 'import ms', 'best', 'process ms', 'note']];
    for (const b of report.bundles.bundles) {
      bRows.push([
        b.handler,
        int(b.bytes),
        fixed(b.importMs, 0),
        fixed(b.bestImportMs, 0),
        fixed(b.processMs, 0),
        b.error ?? '',
      ]);
    }
    out.push(...table(bRows, ['l', 'r', 'r', 'r', 'r', 'l']).map((line) => `  ${line}`));
  }

  if (report.costs.length > 0) {
    out.push(
      '',
      `cost per million CloudTrail events (us-east-1 prices; Lambda arm64 ${report.assumptions.directMemoryGb * 1024} MB direct, ${report.assumptions.queueMemoryGb * 1024} MB for the queue, CPU scaled to that share of a vCPU; ${report.assumptions.roundTripMs} ms per DynamoDB round trip)`,
    );
    const cRows = [
      [
        'delivery',
        'billed ms',
        'EventBridge',
        'SQS',
        'Lambda req',
        'Lambda GB-s',
        'DDB reads',
        'DDB writes',
        'total',
      ],
    ];
    for (const c of report.costs) {
      cRows.push([
        c.batchSize === 1 ? 'direct, 1 event/invocation' : `SQS, ${c.batchSize}/batch`,
        String(c.invocationMs),
        ...[
          c.eventBridge,
          c.sqs,
          c.lambdaRequests,
          c.lambdaDuration,
          c.dynamoDbReads,
          c.dynamoDbWrites,
          c.total,
        ].map((n) => `$${fixed(n, 3)}`),
      ]);
    }
    out.push(...table(cRows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']).map((line) => `  ${line}`));
  }

  out.push('', 'targets');
  out.push(
    `  detect ≥ ${TARGETS.minRatio} × parse throughput: ${fixed(ratio.wall, 2)} ${mark(ratio.wall >= TARGETS.minRatio)}`,
  );
  if (report.large) {
    const growth = report.large.detect.maxRssBytes / throughput.detect.maxRssBytes - 1;
    out.push(
      `  peak RSS at ${int(report.large.trail.records)} within ${100 * TARGETS.maxRssGrowth}% of ${int(trail.records)}: ` +
        `${growth >= 0 ? '+' : ''}${fixed(100 * growth, 1)}% ${mark(growth <= TARGETS.maxRssGrowth)}`,
    );
  }
  if (report.listing) {
    const { small, large } = report.listing;
    const growth = large.stream.liveHeapBytes / Math.max(small.stream.liveHeapBytes, 1);
    out.push(
      `  listing heap at ${large.tree.days} days within ${TARGETS.maxListingHeapGrowth}× of ${small.tree.days} days (ours): ` +
        `${fixed(growth, 2)}× ${mark(growth <= TARGETS.maxListingHeapGrowth)}`,
    );
  }
  if (!('skipped' in report.bundles)) {
    const list = report.bundles.bundles;
    const size = Math.max(...list.map((b) => b.bytes));
    const load = Math.max(...list.map((b) => b.importMs));
    out.push(
      `  every bundle < ${int(TARGETS.maxBundleBytes)} bytes: largest ${int(size)} ${mark(size < TARGETS.maxBundleBytes)}`,
      `  every import < ${TARGETS.maxImportMs} ms: slowest ${fixed(load, 0)} ms ${mark(load < TARGETS.maxImportMs)}`,
    );
  }
  return out.join('\n');
}
