import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import { detectors } from '../detectors/index.ts';
import { parseConfigText } from '../lib/config/load-config.ts';
import { DetectionEngine } from '../lib/engine/detection-engine.ts';
import { replay } from '../lib/engine/replay.ts';
import { decodeBytes } from '../lib/ingest/decode.ts';
import { readCloudTrail, readCloudTrailSources } from '../lib/ingest/read-cloudtrail.ts';
import { DEFAULT_MAX_FILE_BYTES } from '../lib/ingest/types.ts';
import { MemoryState } from '../lib/state/memory-state.ts';
import { BENCH_CONFIG } from './trail.ts';

/**
 * One throughput measurement in a fresh process (so runs share neither JIT state nor heap, and
 * `maxRSS` is this run's own): `node --import tsx bench/throughput-worker.ts <mode> <AWSLogs dir>`.
 * Prints one JSON line: records, findings, seconds, peak RSS.
 *
 * - `parse`: the baseline, what a reader that parses files whole must do: read each file, gunzip
 *   it (with lib/ingest/decode.ts, so a faster gunzip speeds up both sides of the ratio alike), decode the
 *   text, `JSON.parse` it.
 * - `parse-naive`: the same with zlib's and Buffer's defaults (`gunzipSync(bytes).toString()`), for scale.
 * - `ingest`: reading exactly as `detect` does (readCloudTrail: S3 log files scanned on the second thread
 *   and parsed record by record, each file's records sorted by time), judging nothing: `detect` against
 *   this is what detection itself costs.
 * - `detect`: what `trailguard detect --state memory` does: readCloudTrail → replay → DetectionEngine
 *   with every detector.
 * - `detect-stateless`: the same with only the event (stateless) detectors enabled.
 */

export type WorkerMode = 'parse' | 'parse-naive' | 'ingest' | 'detect' | 'detect-stateless';

export interface WorkerResult {
  mode: WorkerMode;
  records: number;
  findings: number;
  seconds: number;
  /** CPU time (user + system, all threads) over the same span: steadier than `seconds` on a busy machine. */
  cpuSeconds: number;
  /** Time spent in garbage collection over the same span, ms (main-thread pauses V8 reports). */
  gcMs: number;
  /** Peak resident set size of the process, bytes. */
  maxRssBytes: number;
}

async function listGz(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listGz(path)));
    else if (entry.name.endsWith('.gz')) out.push(path);
  }
  return out.sort();
}

async function parseOnly(dir: string, naive: boolean): Promise<{ records: number; findings: number }> {
  let records = 0;
  for (const file of await listGz(dir)) {
    const bytes = await readFile(file);
    let text: string;
    if (naive) text = gunzipSync(bytes).toString('utf8');
    else {
      const decoded = await decodeBytes(bytes, DEFAULT_MAX_FILE_BYTES);
      if (!decoded.ok) throw new Error(`${file}: ${decoded.reason}`);
      text = decoded.text;
    }
    records += (JSON.parse(text) as { Records: unknown[] }).Records.length;
  }
  return { records, findings: 0 };
}

async function ingestOnly(dir: string): Promise<{ records: number; findings: number }> {
  let records = 0;
  for await (const source of readCloudTrailSources([dir])) {
    for (let record = source.next(); record !== undefined; record = source.next()) records++;
  }
  return { records, findings: 0 };
}

async function detect(dir: string, statelessOnly: boolean): Promise<{ records: number; findings: number }> {
  const config = parseConfigText(BENCH_CONFIG, 'bench.yaml');
  const engine = new DetectionEngine({
    detectors: statelessOnly ? detectors.filter((d) => d.kind === 'event') : detectors,
    config,
    state: new MemoryState(),
    now: Date.parse('2026-11-26T00:00:00Z'),
  });
  let findings = 0;
  const stats = await replay(readCloudTrail([dir]), engine, {
    onFindings: (list) => {
      findings += list.length;
    },
  });
  return { records: stats.recordsRead, findings };
}

async function main(): Promise<void> {
  const [mode, dir] = process.argv.slice(2) as [WorkerMode, string];
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  gc.observe({ entryTypes: ['gc'] });
  const started = performance.now();
  const cpu = process.cpuUsage();
  const counted = mode.startsWith('parse')
    ? await parseOnly(dir, mode === 'parse-naive')
    : mode === 'ingest'
      ? await ingestOnly(dir)
      : await detect(dir, mode === 'detect-stateless');
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  // GC entries are delivered asynchronously: let the last ones arrive.
  await new Promise((resolve) => setImmediate(resolve));
  gc.disconnect();
  const result: WorkerResult = {
    mode,
    ...counted,
    seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    gcMs,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
