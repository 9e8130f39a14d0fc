import type { DetectionEngine } from '../engine/detection-engine.ts';
import type { ReplayStats } from '../engine/replay.ts';
import { formatBytes } from '../ingest/decode.ts';
import { terminalSafe } from '../output/terminal-safe.ts';

export interface RunFacts {
  files: number;
  bytes: number;
  /** S3 log files not read: delivered before `--since`. */
  earlierFiles: number;
  seconds: number;
  stats: ReplayStats;
  engine: DetectionEngine;
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** The end-of-run summary for stderr: what was read, skipped (and why), found and suppressed. */
export function formatRunSummary({ files, bytes, earlierFiles, seconds, stats, engine }: RunFacts): string {
  const rate = Math.round(stats.recordsRead / Math.max(seconds, 0.001));
  const lines = [
    `trailguard: ${plural(stats.recordsRead, 'record')} from ${plural(files, 'file')} ` +
      `(${formatBytes(bytes)}) in ${seconds.toFixed(2)}s, ${rate.toLocaleString('en-US')} records/s; ` +
      `${plural(stats.eventsJudged, 'event')} judged`,
  ];
  if (earlierFiles > 0) lines.push(`  files delivered before --since, not read: ${earlierFiles}`);
  if (stats.outsideTimeRange > 0) lines.push(`  outside --since/--until: ${stats.outsideTimeRange}`);
  const skippedTotal = [...stats.skipped.values()].reduce((a, b) => a + b, 0);
  if (skippedTotal > 0) {
    const reasons = [...stats.skipped].map(([reason, n]) => `${terminalSafe(reason)} (${n})`).join(', ');
    lines.push(`  skipped ${skippedTotal}: ${reasons}`);
  }
  if (stats.quietlySkipped > 0) lines.push(`  CloudTrail digest files ignored: ${stats.quietlySkipped}`);
  const findingParts: string[] = [];
  let total = 0;
  for (const [detector, bySeverity] of engine.counts) {
    const parts = [...bySeverity].map(([severity, n]) => {
      total += n;
      return `${severity} ${n}`;
    });
    findingParts.push(`${detector} ${parts.join(', ')}`);
  }
  lines.push(total === 0 ? '  findings: none' : `  findings ${total}: ${findingParts.join('; ')}`);
  for (const [label, n] of engine.suppressions.hits)
    lines.push(`  suppressed ${n} by ${terminalSafe(label)}`);
  if (engine.lateEvents > 0) {
    lines.push(
      `  late events (more than engine.lateness behind the newest): ${engine.lateEvents}, ` +
        `${engine.lateCounts} of them not counted by windowed detectors`,
    );
  }
  const folded = [...engine.folded].map(([detector, n]) => `${detector} ${n}`);
  if (folded.length > 0) lines.push(`  repeats folded into earlier findings: ${folded.join(', ')}`);
  if (engine.reraised > 0) {
    lines.push(
      `  raised again under their first id (claimed by a run that never handed them on): ${engine.reraised}`,
    );
  }
  for (const [detector, failure] of engine.failures) {
    lines.push(
      `  error: detector ${detector} failed on ${plural(failure.count, 'event')} ` +
        `(first: ${terminalSafe(failure.firstEventId)}: ${terminalSafe(failure.firstError)})`,
    );
  }
  return lines.join('\n');
}

/** Warnings printed before a run starts, e.g. expired suppressions. */
export function formatStartWarnings(engine: DetectionEngine): string[] {
  return engine.suppressions.expired.map(
    (s) =>
      `trailguard: warning: ${terminalSafe(s.label)} expired ${new Date(s.expiresAt ?? 0).toISOString()} and no longer applies; renew or delete it`,
  );
}
