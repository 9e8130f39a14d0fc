import { join } from 'node:path';
import { median, REPO_ROOT, runTsJson } from './child.ts';
import type { WorkerMode, WorkerResult } from './throughput-worker.ts';

const WORKER = join(REPO_ROOT, 'bench', 'throughput-worker.ts');

/** Several runs of one mode over the same files, each in a fresh process. */
export interface ModeSummary {
  mode: WorkerMode;
  records: number;
  findings: number;
  runs: WorkerResult[];
  /** Median wall seconds, and records per second from it. */
  seconds: number;
  recordsPerSecond: number;
  /** Fastest run: the figure least disturbed by other work on the machine. */
  bestSeconds: number;
  /** Median CPU seconds (all threads), and records per CPU second. */
  cpuSeconds: number;
  recordsPerCpuSecond: number;
  /** Median peak RSS, bytes. */
  maxRssBytes: number;
}

export function summarize(mode: WorkerMode, runs: WorkerResult[]): ModeSummary {
  const first = runs[0] as WorkerResult;
  const seconds = median(runs.map((r) => r.seconds));
  const cpuSeconds = median(runs.map((r) => r.cpuSeconds));
  return {
    mode,
    records: first.records,
    findings: first.findings,
    runs,
    seconds,
    recordsPerSecond: first.records / seconds,
    bestSeconds: Math.min(...runs.map((r) => r.seconds)),
    cpuSeconds,
    recordsPerCpuSecond: first.records / cpuSeconds,
    maxRssBytes: median(runs.map((r) => r.maxRssBytes)),
  };
}

/** One worker run (a fresh process) of `mode` over the AWSLogs directory `logs`. */
export function runWorker(mode: WorkerMode, logs: string): Promise<WorkerResult> {
  return runTsJson<WorkerResult>(WORKER, [mode, logs]);
}

/**
 * Runs every mode `rounds` times, interleaved (parse, detect, … then again), so a slow spell on the
 * machine hits every mode alike rather than one of them.
 */
export async function measureModes(
  logs: string,
  modes: readonly WorkerMode[],
  rounds: number,
  onRun?: (result: WorkerResult) => void,
): Promise<Map<WorkerMode, ModeSummary>> {
  const runs = new Map<WorkerMode, WorkerResult[]>(modes.map((mode) => [mode, []]));
  for (let round = 0; round < rounds; round++) {
    for (const mode of modes) {
      const result = await runWorker(mode, logs);
      onRun?.(result);
      runs.get(mode)?.push(result);
    }
  }
  const summaries = new Map<WorkerMode, ModeSummary>();
  for (const [mode, list] of runs) summaries.set(mode, summarize(mode, list));
  return summaries;
}
