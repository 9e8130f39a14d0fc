import { formatBytes } from '../ingest/decode.ts';
import { terminalSafe } from '../output/terminal-safe.ts';
import type { InsightsProgress } from './insights-runner.ts';
import type { InsightsStats } from './insights-source.ts';
import type { LocalStats } from './local-source.ts';

/** What a query run tells people on stderr: progress while it runs, a summary at the end. */

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** The end-of-run summary for a local source, in the words `detect` uses. */
export function formatLocalSummary(stats: LocalStats, rows: number, seconds: number): string {
  const rate = Math.round(stats.recordsRead / Math.max(seconds, 0.001));
  const lines = [
    `trailguard: ${plural(stats.recordsRead, 'record')} from ${plural(stats.files, 'file')} ` +
      `(${formatBytes(stats.bytes)}) in ${seconds.toFixed(2)}s, ${rate.toLocaleString('en-US')} records/s` +
      `${stats.passes > 1 ? ` (${stats.passes} passes)` : ''}; ${plural(rows, 'row')}`,
  ];
  if (stats.earlierFiles > 0) lines.push(`  files delivered before --since, not read: ${stats.earlierFiles}`);
  if (stats.outsideTimeRange > 0) lines.push(`  outside --since/--until: ${stats.outsideTimeRange}`);
  const skipped = [...stats.skipped.values()].reduce((a, b) => a + b, 0);
  if (skipped > 0) {
    const reasons = [...stats.skipped].map(([reason, n]) => `${terminalSafe(reason)} (${n})`).join(', ');
    lines.push(`  skipped ${skipped}: ${reasons}`);
  }
  if (stats.quietlySkipped > 0) lines.push(`  CloudTrail digest files ignored: ${stats.quietlySkipped}`);
  return lines.join('\n');
}

export function formatLogsSummary(stats: InsightsStats, rows: number, seconds: number): string {
  const lines = [
    `trailguard: ${stats.queries.toLocaleString('en-US')} Logs Insights quer${stats.queries === 1 ? 'y' : 'ies'} ` +
      `(${plural(stats.splits, 'split')}) returned ${plural(stats.rows, 'result row')} in ${seconds.toFixed(2)}s; ` +
      plural(rows, 'row'),
  ];
  if (stats.skippedRows > 0) lines.push(`  result rows skipped: ${stats.skippedRows}`);
  return lines.join('\n');
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Logs Insights progress on stderr. A terminal gets one line redrawn on every poll (status, records
 * scanned); a pipe or CI log gets a line per query started, split and finished, never one per poll.
 */
export class InsightsProgressPrinter {
  readonly #stream: NodeJS.WriteStream;
  readonly #tty: boolean;
  #drawn = false;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
    this.#tty = Boolean(stream.isTTY);
  }

  update(p: InsightsProgress): void {
    const range = `${iso(p.range.start)}..${iso(p.range.end)}`;
    if (p.kind === 'poll') {
      if (!this.#tty) return;
      const scanned =
        p.recordsScanned === undefined
          ? ''
          : `, ${Math.round(p.recordsScanned).toLocaleString('en-US')} records scanned`;
      this.#stream.write(
        `\r\x1b[2Ktrailguard: query ${p.query} ${range}: ${p.status ?? 'Running'}${scanned}`,
      );
      this.#drawn = true;
      return;
    }
    const text =
      p.kind === 'start'
        ? `query ${p.query} started over ${range}`
        : p.kind === 'split'
          ? `${range} hit the ${p.rows} row cap: splitting it in halves`
          : `query ${p.query} complete: ${plural(p.rows ?? 0, 'row')}`;
    if (this.#tty && p.kind === 'start') return;
    this.clear();
    this.#stream.write(`trailguard: ${text}\n`);
  }

  clear(): void {
    if (this.#drawn) this.#stream.write('\r\x1b[2K');
    this.#drawn = false;
  }
}
