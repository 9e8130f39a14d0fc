import type { Command } from 'commander';
import { Option } from 'commander';
import { detectors } from '../../../detectors/index.ts';
import { loadConfig } from '../../config/load-config.ts';
import { DetectionEngine } from '../../engine/detection-engine.ts';
import { atLeast, type Finding, SEVERITIES, type Severity } from '../../engine/finding.ts';
import { replay } from '../../engine/replay.ts';
import { EXIT } from '../../errors.ts';
import { findMissingPaths } from '../../ingest/check-paths.ts';
import { readCloudTrail } from '../../ingest/read-cloudtrail.ts';
import {
  FINDING_FORMATS,
  type FindingFormat,
  findingsToJson,
  findingToJsonLine,
  formatFindingsTable,
} from '../../output/format-findings.ts';
import { findingToOcsfLine } from '../../output/ocsf.ts';
import { terminalSafe } from '../../output/terminal-safe.ts';
import {
  type OpenedState,
  openState,
  parseStateSpec,
  stateReach,
  stateRetention,
} from '../../state/open-state.ts';
import { parseTimeArgument } from '../parse-time.ts';
import { ProgressLine } from '../progress.ts';
import { formatSkip } from '../report-skip.ts';
import { formatRunSummary, formatStartWarnings } from '../run-summary.ts';
import { UsageError } from '../usage-error.ts';
import { notifyFindings, openCliAlerts } from './alerts.ts';

interface DetectOptions {
  config?: string;
  format: FindingFormat;
  since?: string;
  until?: string;
  failOn?: Severity;
  now?: string;
  state: string;
  stats?: boolean;
  notify?: boolean;
  outbox?: string;
}

export function registerDetect(program: Command): void {
  program
    .command('detect')
    .description(
      'judge CloudTrail logs (S3 log files, directories, JSON Lines, EventBridge events, stdin "-")',
    )
    .argument('<paths...>', 'files or directories to read; "-" for stdin')
    .option(
      '-c, --config <file>',
      'config file (default: ./trailguard.yaml if present, else built-in defaults)',
    )
    .addOption(
      new Option('-f, --format <format>', 'output format (ocsf: OCSF Detection Findings, one per line)')
        .choices(FINDING_FORMATS)
        .default('table'),
    )
    .option('--since <time>', 'only events at or after this time (ISO time, or a duration ago: 7d)')
    .option('--until <time>', 'only events before this time (ISO time, or a duration ago)')
    .addOption(
      new Option('--fail-on <severity>', 'exit 3 when a finding is at least this severe').choices(SEVERITIES),
    )
    .option('--now <time>', 'the wall clock for suppression expiry (ISO time; for tests and replays)')
    .option(
      '--state <store>',
      'where detection state lives: "memory", or "dynamodb:TABLE" (a table made by "trailguard state ' +
        'create-table"; region, credentials and AWS_ENDPOINT_URL_DYNAMODB from the standard AWS chain)',
      'memory',
    )
    .option('--stats', 'print state requests per event judged on stderr at the end')
    .option(
      '--notify',
      "send findings to the Slack channel / SNS topic of the config's alerts section (SLACK_BOT_TOKEN); " +
        'recorded in an outbox first, so "trailguard alerts flush" can retry what fails',
    )
    .option(
      '--outbox <file>',
      'with --notify and local state: the outbox file (default: .trailguard/outbox.jsonl)',
    )
    .action(async (paths: string[], options: DetectOptions) => {
      process.exitCode = await runDetect(paths, options);
    });
}

function timeOption(name: string, text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  const time = parseTimeArgument(text, now);
  if (time === undefined)
    throw new UsageError(`${name} "${text}" is neither an ISO time nor a duration like 7d`);
  return time;
}

async function runDetect(paths: string[], options: DetectOptions): Promise<number> {
  const now = options.now === undefined ? Date.now() : Date.parse(options.now);
  if (Number.isNaN(now)) throw new UsageError(`--now "${options.now}" is not an ISO time`);
  const since = timeOption('--since', options.since, now);
  const until = timeOption('--until', options.until, now);
  const missing = await findMissingPaths(paths);
  if (missing.length > 0) {
    throw new UsageError(`no such file or directory: ${missing.map((p) => terminalSafe(p)).join(', ')}`);
  }
  const config = await loadConfig(options.config);
  if (options.outbox !== undefined && !options.notify) throw new UsageError('--outbox needs --notify');
  const store = await openState(parseStateSpec(options.state), {
    retentionMs: stateRetention(detectors, config),
    reachMs: stateReach(detectors, config),
  });
  const alerts = options.notify
    ? await openCliAlerts(config, options, true, paths).catch((error: unknown) => {
        store.close();
        throw error;
      })
    : undefined;
  const raised: Finding[] = [];
  const engine = new DetectionEngine({ detectors, config, now, state: store.state });
  for (const warning of store.warnings) process.stderr.write(`trailguard: warning: ${warning}\n`);
  for (const warning of formatStartWarnings(engine)) process.stderr.write(`${warning}\n`);

  const progress = new ProgressLine();
  const collected: Finding[] = [];
  let files = 0;
  let bytes = 0;
  let worst: Severity | undefined;
  const started = performance.now();
  let earlierFiles = 0;
  const items = readCloudTrail(paths, {
    stdin: process.stdin,
    onFile: (_file, size) => {
      files++;
      bytes += size;
    },
    since,
    onEarlierFile: () => {
      earlierFiles++;
    },
  });
  const stats = await replay(items, engine, {
    since,
    until,
    onFindings: (findings) => {
      for (const finding of findings) {
        if (worst === undefined || atLeast(finding.severity, worst)) worst = finding.severity;
        raised.push(finding);
        // The line formats stream: each finding is written as it is raised.
        if (options.format === 'jsonl') process.stdout.write(`${findingToJsonLine(finding)}\n`);
        else if (options.format === 'ocsf') process.stdout.write(`${findingToOcsfLine(finding)}\n`);
        else collected.push(finding);
      }
    },
    onSkip: (origin, reason) => {
      progress.clear();
      process.stderr.write(`${formatSkip(origin, reason)}\n`);
    },
    onProgress: (s) => progress.update(files, s.recordsRead),
  });
  progress.clear();

  if (options.format === 'json') process.stdout.write(`${findingsToJson(collected)}\n`);
  if (options.format === 'table') process.stdout.write(`${formatFindingsTable(collected)}\n`);
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`${formatRunSummary({ files, bytes, earlierFiles, seconds, stats, engine })}\n`);
  try {
    // Claims are confirmed once the findings are handed on: recorded in the outbox, or written out. A run
    // that dies before leaves them unconfirmed, and the next run raises them again under the same ids.
    if (alerts) await notifyFindings(alerts, raised).finally(() => alerts.close());
    await engine.confirm(raised);
    if (options.stats) process.stderr.write(`${formatStateStats(store, stats.eventsJudged)}\n`);
  } finally {
    store.close();
  }
  return options.failOn && worst && atLeast(worst, options.failOn) ? EXIT.failOn : EXIT.ok;
}

/** `--stats`: what the state store cost, per event judged (the memory store makes no requests). */
function formatStateStats({ label, stats }: OpenedState, events: number): string {
  const perEvent = events === 0 ? 0 : stats.total / events;
  const list = (counts: Map<string, number>) => [...counts].map(([name, n]) => `${name} ${n}`).join(', ');
  const lines = [
    `trailguard: state ${label}: ${stats.total.toLocaleString('en-US')} requests for ` +
      `${events.toLocaleString('en-US')} events judged, ${perEvent.toFixed(3)} per event`,
  ];
  if (stats.total > 0)
    lines.push(`  by operation: ${list(stats.byOperation)}`, `  by part: ${list(stats.byPart)}`);
  if (stats.countedEntries > 0) {
    const counters = stats.byPart.get('counters') ?? 0;
    lines.push(
      `  counters: ${counters} requests for ${stats.countedEntries} counted entries, ` +
        `${(counters / stats.countedEntries).toFixed(3)} per entry`,
    );
  }
  if (stats.retries > 0) lines.push(`  retried by the SDK (throttling, transient errors): ${stats.retries}`);
  return lines.join('\n');
}
