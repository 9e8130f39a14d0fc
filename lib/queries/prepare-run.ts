import { parseTimeArgument } from '../cli/parse-time.ts';
import { ProgressLine } from '../cli/progress.ts';
import { formatSkip } from '../cli/report-skip.ts';
import { parseDuration } from '../config/duration.ts';
import { loadConfig } from '../config/load-config.ts';
import type { ResolvedConfig } from '../config/resolved-config.ts';
import { terminalSafe } from '../output/terminal-safe.ts';
import { type OpenedSource, openSource, parseSources } from './open-source.ts';
import { QueryError } from './query-error.ts';
import { formatLocalSummary, formatLogsSummary, InsightsProgressPrinter } from './run-report.ts';

/**
 * What every query run (and `config suggest`) does around the query itself: read `--since`, `--until`,
 * `--timeout`, `--now` and `--config`, check and open SOURCE before reading anything, report skipped input
 * and progress on stderr while it runs, and print the summary at the end. Bad options are `QueryError`s
 * marked usage (exit 2).
 */

/** Options every query (and `config suggest`) takes. */
export interface SourceCliOptions {
  since?: string;
  until?: string;
  timeout: string;
  region?: string;
  now?: string;
  config?: string;
}

function timeOption(name: string, text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  const time = parseTimeArgument(text, now);
  if (time === undefined)
    throw new QueryError(`${name} "${text}" is neither an ISO time nor a duration like 7d`, true);
  return time;
}

export interface PreparedRun {
  now: number;
  since?: number;
  until?: number;
  config: ResolvedConfig;
  opened: OpenedSource;
  /** Clears progress lines and prints the end-of-run summary on stderr. */
  finish(rows: number, notes: readonly string[]): void;
}

/** Parses the shared options and opens SOURCE, reporting skips and progress on stderr. */
export async function prepareRun(
  sources: readonly string[],
  options: SourceCliOptions,
  reportSkips = true,
): Promise<PreparedRun> {
  const now = options.now === undefined ? Date.now() : Date.parse(options.now);
  if (Number.isNaN(now)) throw new QueryError(`--now "${options.now}" is not an ISO time`, true);
  const since = timeOption('--since', options.since, now);
  const until = timeOption('--until', options.until, now);
  const timeoutMs = parseDuration(options.timeout);
  if (timeoutMs === undefined || timeoutMs <= 0) {
    throw new QueryError(`--timeout "${options.timeout}" is not a duration such as 90s or 10m`, true);
  }
  const spec = parseSources(sources);
  const progress = new ProgressLine();
  const insightsProgress = new InsightsProgressPrinter();
  const opened = await openSource({
    spec,
    since,
    until,
    now,
    timeoutMs,
    region: options.region,
    local: {
      stdin: process.stdin,
      onProgress: (files, records) => progress.update(files, records),
      onSkip: reportSkips
        ? (origin, reason) => {
            progress.clear();
            process.stderr.write(`${formatSkip(origin, reason)}\n`);
          }
        : undefined,
    },
    logs: {
      onProgress: (p) => insightsProgress.update(p),
      onSkip: (reason) => {
        insightsProgress.clear();
        process.stderr.write(`${formatSkip({ file: sources.join(' ') }, reason)}\n`);
      },
    },
  });
  const config = await loadConfig(options.config);
  const started = performance.now();
  return {
    now,
    since,
    until,
    config,
    opened,
    finish(rows, notes) {
      progress.clear();
      insightsProgress.clear();
      for (const note of notes) process.stderr.write(`trailguard: note: ${terminalSafe(note)}\n`);
      const seconds = (performance.now() - started) / 1000;
      const summary =
        opened.kind === 'local'
          ? formatLocalSummary(opened.source.stats, rows, seconds)
          : formatLogsSummary(opened.source.stats, rows, seconds);
      process.stderr.write(`${summary}\n`);
    },
  };
}
