import { formatDuration } from '../config/duration.ts';
import { formatTable } from '../output/format-table.ts';
import { sparkline } from '../output/sparkline.ts';
import { type Digest, formatChange, type Trend } from './digest.ts';
import { codeSpan, mrkdwnLine } from './mrkdwn.ts';
import { context, header, type SlackMessage, section } from './slack-blocks.ts';

/** The digest on the terminal (every cell terminal-safe via formatTable) and as a Slack message. */

const SPARK_WIDTH = 28;
/** Lines per Slack section: 10 lines of at most ~280 characters stay under the 3000-character limit. */
const SLACK_LINES = 10;

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function headline(digest: Digest): string {
  const period = formatDuration(digest.periodMs);
  return (
    `AccessDenied digest: ${iso(digest.start)} to ${iso(digest.end)} (${period}), against the ${period} before: ` +
    `${digest.current} denials (previously ${digest.previous}, ${formatChange(digest)})`
  );
}

/** What one bar of the sparkline covers, oldest on the left. */
function trendHeader(digest: Digest): string {
  const bins = Math.round(digest.periodMs / digest.binMs);
  const bars = Math.min(bins, SPARK_WIDTH);
  const perBar = digest.periodMs / bars;
  return Number.isInteger(perBar) && perBar % 1000 === 0
    ? `TREND (${formatDuration(perBar)} per bar)`
    : `TREND (${bars} bars over ${formatDuration(digest.periodMs)})`;
}

export function digestTable(digest: Digest): string {
  if (digest.current === 0 && digest.previous === 0) {
    return `No authorization failures between ${iso(digest.start - digest.periodMs)} and ${iso(digest.end)}.`;
  }
  const principals = formatTable(
    digest.principals.map((p) => [
      p.name,
      String(p.current),
      String(p.previous),
      formatChange(p),
      sparkline(p.series, SPARK_WIDTH),
    ]),
    {
      headers: ['PRINCIPAL', 'DENIALS', 'BEFORE', 'CHANGE', trendHeader(digest)],
      maxWidths: [70, 8, 8, 8, undefined],
    },
  );
  const actions = formatTable(
    digest.actions.map((a) => [a.name, String(a.current), String(a.previous), formatChange(a)]),
    { headers: ['ACTION', 'DENIALS', 'BEFORE', 'CHANGE'], maxWidths: [60, 8, 8, 8] },
  );
  const more = (shown: number, total: number, what: string) =>
    total > shown ? `\n(top ${shown} of ${total} ${what})` : '';
  return [
    headline(digest),
    '',
    principals + more(digest.principals.length, digest.principalCount, 'principals'),
    '',
    actions + more(digest.actions.length, digest.actionCount, 'actions'),
  ].join('\n');
}

function trendLine(trend: Trend, spark?: string): string {
  const counts = mrkdwnLine(`${trend.current} (before ${trend.previous}, ${formatChange(trend)})`, 60);
  return `${codeSpan(trend.name, 180)} ${counts}${spark ? ` ${spark}` : ''}`;
}

/** The digest for Slack: principals and actions are event data, so each goes into an escaped code span. */
export function digestMessage(digest: Digest): SlackMessage {
  const title = `AccessDenied trend, last ${formatDuration(digest.periodMs)}`;
  const blocks = [header(`🛡️ ${title}`), section(mrkdwnLine(headline(digest), 600))];
  if (digest.principals.length > 0) {
    const lines = digest.principals
      .slice(0, SLACK_LINES)
      .map((p) => trendLine(p, sparkline(p.series, SPARK_WIDTH)));
    blocks.push(section(`*Top principals*\n${lines.join('\n')}`));
  }
  if (digest.actions.length > 0) {
    const lines = digest.actions.slice(0, SLACK_LINES).map((a) => trendLine(a));
    blocks.push(section(`*Top actions*\n${lines.join('\n')}`));
  }
  blocks.push(
    context([
      `trailguard digest · ${mrkdwnLine(iso(digest.start), 30)} to ${mrkdwnLine(iso(digest.end), 30)}`,
    ]),
  );
  return { text: mrkdwnLine(`${title}: ${digest.current} denials (${formatChange(digest)})`, 300), blocks };
}
