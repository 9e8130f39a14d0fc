import { type Finding, severityRank } from '../engine/finding.ts';
import type { OidcProviderKind } from '../events/normalized-event.ts';
import { parseOidcSubject } from '../identity/oidc-subject.ts';
import { eventLinks, traceCommand } from './finding-links.ts';
import { capEscaped, codeSpan, escapeTrustedText, mrkdwnLine } from './mrkdwn.ts';
import {
  type Block,
  commandSection,
  context,
  fieldsSection,
  header,
  LIMITS,
  SEVERITY_MARK,
  type SlackMessage,
  section,
  textLength,
} from './slack-blocks.ts';

/**
 * Block Kit for one finding, or for a group of findings about one principal: severity first, then what
 * happened, who (principal, pipeline, repository / branch / environment from the OIDC subject), where,
 * when and how often, what to do, and how to dig (CloudTrail console links, the `trailguard query`
 * command). Each piece is capped so the message stays inside Slack's limits whatever the input.
 */

export interface MessageOptions {
  /** SOURCE for the trace command (config `alerts.traceSource`, or the paths `detect` read). */
  traceSources?: readonly string[];
}

/** Findings named in full in one grouped message; larger groups are split (see grouping.ts). */
export const MAX_GROUP = 20;

const RUNBOOK_MAX = 2500;
const GROUP_RUNBOOK_MAX = 1200;
/** Characters of group lines in all; each line's summary gets its share, so 20 long ones still fit. */
const GROUP_LINES_BUDGET = 9000;
/** What a group line takes besides its summary: marks, title, id, detector, time. */
const GROUP_LINE_OVERHEAD = 260;

function providerOf(finding: Finding): OidcProviderKind {
  const provider = finding.details?.provider;
  return provider === 'github' || provider === 'gitlab' ? provider : 'other';
}

/** `*Label*\n<code span>`: a field whose value is event data. */
function codeField(label: string, value: string | undefined, max = 250): string | undefined {
  return value === undefined || value === '' ? undefined : `*${label}*\n${codeSpan(value, max)}`;
}

function whereField(finding: Finding): string | undefined {
  const parts = [finding.account, finding.region].filter((p): p is string => p !== undefined);
  return parts.length === 0 ? undefined : `*Account / region*\n${codeSpan(parts.join(' / '), 120)}`;
}

function whenField(finding: Finding): string {
  if (finding.count === undefined) return `*Time*\n${mrkdwnLine(finding.time, 40)}`;
  const span =
    finding.firstSeen && finding.lastSeen ? ` between ${finding.firstSeen} and ${finding.lastSeen}` : '';
  return `*Count*\n${mrkdwnLine(`${finding.count} events${span}`, 120)}`;
}

/** Fields for one finding: at most 10, as Slack allows. */
function findingFields(finding: Finding): string[] {
  const claims = finding.subject ? parseOidcSubject(finding.subject, providerOf(finding)) : {};
  const pipeline = finding.pipeline
    ? `${finding.pipeline}${finding.environment ? ` (${finding.environment})` : ''}`
    : undefined;
  const ref = claims.branch ?? claims.tag ?? (claims.pullRequest ? 'pull request' : claims.ref);
  const refLabel = claims.branch ? 'Branch' : claims.tag ? 'Tag' : 'Ref';
  const fields = [
    codeField('Principal', finding.principal, 300),
    codeField('Pipeline', pipeline),
    codeField('Repository', claims.repositoryPath),
    codeField(refLabel, ref),
    codeField('OIDC environment', claims.environment),
    codeField('Subject', finding.subject, 400),
    whereField(finding),
    whenField(finding),
    finding.count === undefined ? undefined : `*Time*\n${mrkdwnLine(finding.time, 40)}`,
    `*Finding*\n${codeSpan(finding.id, 80)} ${mrkdwnLine(finding.detector, 60)}`,
  ];
  return fields.filter((f): f is string => f !== undefined).slice(0, LIMITS.fields);
}

function linksSection(finding: Finding): Block | undefined {
  const { links, unlinked } = eventLinks(finding);
  if (links.length === 0) return undefined;
  // Only validated ids and regions reach a link (finding-links.ts); the label is the id itself.
  const list = links.map((link) => `<${link.url}|${link.id}>`).join('\n');
  const more =
    unlinked > 0 ? `\n…and ${unlinked} more event id${unlinked === 1 ? '' : 's'} in the finding` : '';
  return section(`*CloudTrail events*\n${list}${more}`);
}

function traceBlock(finding: Finding, options: MessageOptions): Block | undefined {
  const command = traceCommand(finding, options.traceSources);
  return command ? commandSection('Trace it', command) : undefined;
}

/** The notification text: what phones and screen readers show. */
function fallbackText(finding: Finding): string {
  const head = `${finding.severity.toUpperCase()}: ${finding.title}`;
  return `${mrkdwnLine(head, 120)} - ${mrkdwnLine(finding.summary, 400)} (${mrkdwnLine(finding.id, 40)})`;
}

/** Drops optional blocks from the end until the message fits Slack's total-text limit. */
function fitToLimits(blocks: Block[], optional: ReadonlySet<Block>): Block[] {
  const kept = [...blocks];
  for (let i = kept.length - 1; i >= 0 && textLength(kept) > LIMITS.totalText; i--) {
    const block = kept[i] as Block;
    if (optional.has(block)) kept.splice(i, 1);
  }
  return kept.slice(0, LIMITS.blocks);
}

/** The message for one finding. */
export function findingMessage(finding: Finding, options: MessageOptions = {}): SlackMessage {
  const runbook = section(`*Next steps*\n${capEscaped(escapeTrustedText(finding.runbook), RUNBOOK_MAX)}`);
  const trace = traceBlock(finding, options);
  const links = linksSection(finding);
  const blocks = [
    header(`${SEVERITY_MARK[finding.severity]} ${finding.severity.toUpperCase()}: ${finding.title}`),
    section(mrkdwnLine(finding.summary, 1500)),
    fieldsSection(findingFields(finding)),
    runbook,
    trace,
    links,
    context([`trailguard · ${mrkdwnLine(finding.detector, 60)} · finding ${codeSpan(finding.id, 80)}`]),
  ].filter((b): b is Block => b !== undefined);
  return {
    text: fallbackText(finding),
    blocks: fitToLimits(blocks, new Set([links, trace, runbook].filter((b): b is Block => b !== undefined))),
  };
}

function worstFirst(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || a.time.localeCompare(b.time),
  );
}

/** One line per finding of a group: severity, title, summary, id. */
function groupLine(finding: Finding, summaryMax: number): string {
  const head = `${SEVERITY_MARK[finding.severity]} *${finding.severity}* ${mrkdwnLine(finding.title, 100)}`;
  const id = `${codeSpan(finding.id, 80)} · ${mrkdwnLine(finding.detector, 60)} · ${mrkdwnLine(finding.time, 30)}`;
  return `${head}\n${mrkdwnLine(finding.summary, summaryMax)}\n${id}`;
}

/**
 * One message for several findings about one principal within a minute (at most MAX_GROUP): the
 * shared facts once, then each finding with its id, then the most severe finding's next steps.
 */
export function groupMessage(findings: readonly Finding[], options: MessageOptions = {}): SlackMessage {
  if (findings.length === 1) return findingMessage(findings[0] as Finding, options);
  const sorted = worstFirst(findings).slice(0, MAX_GROUP);
  const worst = sorted[0] as Finding;
  const label = `${SEVERITY_MARK[worst.severity]} ${worst.severity.toUpperCase()}: ${sorted.length} findings for one principal`;
  const times = sorted.map((f) => f.time).sort();
  const first = times[0] ?? worst.time;
  const last = times[times.length - 1] ?? worst.time;
  const shared = [
    `*Principal*\n${codeSpan(worst.principal, 300)}`,
    worst.pipeline
      ? `*Pipeline*\n${codeSpan(`${worst.pipeline} (${worst.environment ?? '-'})`, 200)}`
      : undefined,
    whereField(worst),
    `*Time*\n${mrkdwnLine(first === last ? first : `${first} to ${last}`, 80)}`,
  ].filter((f): f is string => f !== undefined);
  const runbook = section(
    `*Next steps* (for the ${worst.severity} finding; each finding carries its own runbook)\n` +
      capEscaped(escapeTrustedText(worst.runbook), GROUP_RUNBOOK_MAX),
  );
  const trace = traceBlock(worst, options);
  const summaryMax = Math.min(600, Math.floor(GROUP_LINES_BUDGET / sorted.length) - GROUP_LINE_OVERHEAD);
  const blocks = [
    header(label),
    fieldsSection(shared),
    ...sorted.map((finding) => section(groupLine(finding, summaryMax))),
    runbook,
    trace,
    context([`trailguard · ${sorted.length} findings grouped`]),
  ].filter((b): b is Block => b !== undefined);
  const ids = sorted.map((f) => f.id).join(', ');
  return {
    text: `${mrkdwnLine(label, 120)} (${mrkdwnLine(ids, 1000)})`,
    blocks: fitToLimits(blocks, new Set([runbook, trace].filter((b): b is Block => b !== undefined))),
  };
}
