import { Document, type Node, Scalar } from 'yaml';
import { parseRoleArn } from '../identity/arn.ts';
import { terminalSafe } from '../output/terminal-safe.ts';
import type { Row } from './query-types.ts';

/**
 * `config suggest`: a starting `pipelines:` inventory from the OIDC assumptions in the logs (the `oidc`
 * query's rows). One pipeline per role that was assumed successfully, listing the exact subjects that
 * succeeded; kind guessed `service` (the safe default: it alerts on IAM writes); environment guessed from
 * the subjects' `environment` claim, else the role name. Every value is YAML-quoted by the `yaml`
 * library; comments carry counts and are made single-line and terminal-safe, since role names and
 * subjects are attacker-influenced.
 */

const PUBLIC_ISSUERS: Readonly<Record<string, string>> = {
  github: 'token.actions.githubusercontent.com',
  gitlab: 'gitlab.com',
};

/** Role-name words that name an environment, and the environment they mean. */
const ENVIRONMENT_WORDS: ReadonlyMap<string, string> = new Map([
  ['prod', 'prod'],
  ['production', 'prod'],
  ['prd', 'prod'],
  ['staging', 'staging'],
  ['stage', 'staging'],
  ['stg', 'staging'],
  ['dev', 'dev'],
  ['development', 'dev'],
  ['test', 'test'],
  ['qa', 'test'],
]);

export interface SuggestedSubject {
  subject: string;
  successes: number;
  lastSeen: string;
}

export interface SuggestedPipeline {
  name: string;
  role: string;
  provider: 'github' | 'gitlab';
  issuer?: string;
  environment?: string;
  environmentFrom?: 'subject' | 'role name';
  subjects: SuggestedSubject[];
  successes: number;
  denials: number;
  firstSeen: string;
  lastSeen: string;
  /** Subjects with `*`, which would widen into globs: not listed. */
  unlistable: number;
}

/** What the rows say that is not a pipeline, for the closing comments. */
export interface Suggestion {
  pipelines: SuggestedPipeline[];
  /** Roles only ever denied, or assumed through an issuer that is neither GitHub nor GitLab. */
  skippedRoles: { role: string; reason: string }[];
}

const text = (cell: Row[string] | undefined) => (typeof cell === 'string' ? cell : undefined);
const number = (cell: Row[string] | undefined) => (typeof cell === 'number' ? cell : 0);

function environmentFromName(roleName: string): string | undefined {
  for (const word of roleName.toLowerCase().split(/[-_.+=,@]/)) {
    const environment = ENVIRONMENT_WORDS.get(word);
    if (environment !== undefined) return environment;
  }
  return undefined;
}

function suggestOne(role: string, rows: readonly Row[]): SuggestedPipeline | { reason: string } {
  const succeeded = rows.filter((r) => number(r.successes) > 0 && text(r.subject) !== undefined);
  if (succeeded.length === 0) return { reason: 'never assumed successfully' };
  const byProvider = new Map<string, number>();
  for (const r of succeeded)
    byProvider.set(String(r.provider), (byProvider.get(String(r.provider)) ?? 0) + number(r.successes));
  const provider = [...byProvider].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (provider !== 'github' && provider !== 'gitlab')
    return { reason: 'assumed through an issuer that is neither GitHub nor GitLab' };
  const mine = succeeded.filter((r) => r.provider === provider);
  const issuers = new Set(mine.map((r) => text(r.issuer)).filter((i) => i !== undefined));
  const issuer = issuers.size === 1 ? [...issuers][0] : undefined;
  const listable = mine.filter((r) => !(text(r.subject) as string).includes('*'));
  const environments = new Set(listable.map((r) => text(r.environment)));
  const fromSubject = environments.size === 1 ? [...environments][0] : undefined;
  const fromName = environmentFromName(parseRoleArn(role)?.name ?? '');
  return {
    name: parseRoleArn(role)?.name ?? role,
    role,
    provider,
    issuer: issuer !== undefined && issuer !== PUBLIC_ISSUERS[provider] ? issuer : undefined,
    environment: fromSubject ?? fromName,
    environmentFrom: fromSubject !== undefined ? 'subject' : fromName !== undefined ? 'role name' : undefined,
    subjects: listable
      .map((r) => ({
        subject: text(r.subject) as string,
        successes: number(r.successes),
        lastSeen: String(r.lastSeen),
      }))
      .sort((a, b) => a.subject.localeCompare(b.subject)),
    successes: rows.reduce((n, r) => n + number(r.successes), 0),
    denials: rows.reduce((n, r) => n + number(r.denials), 0),
    firstSeen: rows.map((r) => String(r.firstSeen)).sort()[0] ?? '',
    lastSeen:
      rows
        .map((r) => String(r.lastSeen))
        .sort()
        .at(-1) ?? '',
    unlistable: mine.length - listable.length,
  };
}

/** Groups `oidc` rows by role into suggested pipelines (names made unique by account when they clash). */
export function suggestPipelines(rows: readonly Row[]): Suggestion {
  const byRole = new Map<string, Row[]>();
  for (const row of rows) {
    const role = text(row.role);
    if (role === undefined) continue;
    byRole.set(role, [...(byRole.get(role) ?? []), row]);
  }
  const pipelines: SuggestedPipeline[] = [];
  const skippedRoles: Suggestion['skippedRoles'] = [];
  for (const [role, roleRows] of [...byRole].sort((a, b) => a[0].localeCompare(b[0]))) {
    const suggested = suggestOne(role, roleRows);
    if ('reason' in suggested) skippedRoles.push({ role, reason: suggested.reason });
    else pipelines.push(suggested);
  }
  const names = new Map<string, number>();
  for (const p of pipelines) names.set(p.name, (names.get(p.name) ?? 0) + 1);
  for (const p of pipelines) {
    if ((names.get(p.name) ?? 0) > 1) p.name = `${p.name}-${parseRoleArn(p.role)?.account ?? 'unknown'}`;
  }
  return { pipelines, skippedRoles };
}

/** One comment line: control characters and line breaks escaped, so text cannot end the comment. */
function comment(line: string): string {
  return ` ${terminalSafe(line)}`;
}

function quoted(value: string): Scalar {
  const scalar = new Scalar(value);
  scalar.type = Scalar.QUOTE_DOUBLE;
  return scalar;
}

/** The suggestion as a config file: valid against the config schema, to be reviewed before use. */
export function suggestionYaml(suggestion: Suggestion, header: readonly string[]): string {
  const doc = new Document({ pipelines: [] as unknown[] });
  const list = doc.get('pipelines', true) as unknown as { items: Node[] };
  for (const p of suggestion.pipelines) {
    const oidc: Record<string, unknown> = { provider: p.provider };
    if (p.issuer !== undefined) oidc.issuer = quoted(p.issuer);
    const subjects = p.subjects.map((s) => {
      const scalar = quoted(s.subject);
      scalar.comment = comment(`${s.successes} successful, last ${s.lastSeen}`);
      return scalar;
    });
    oidc.subjects = subjects;
    const entry: Record<string, unknown> = { name: quoted(p.name), role: quoted(p.role), kind: 'service' };
    if (p.environment !== undefined) entry.environment = quoted(p.environment);
    entry.oidc = oidc;
    const node = doc.createNode(entry);
    const lines = [
      `${p.role}: ${p.successes} successful and ${p.denials} denied assumptions, ${p.firstSeen} to ${p.lastSeen}`,
      'review: kind is a guess (service: deploys only). Use platform if it manages IAM, agent for an AI agent',
    ];
    if (p.environmentFrom !== undefined) lines.push(`environment guessed from the ${p.environmentFrom}`);
    if (p.unlistable > 0)
      lines.push(`${p.unlistable} subject(s) containing "*" not listed: a glob would widen them`);
    node.commentBefore = lines.map(comment).join('\n');
    list.items.push(node);
  }
  const closing = suggestion.skippedRoles.map((s) => comment(`not suggested: ${s.role} (${s.reason})`));
  doc.commentBefore = header.map(comment).join('\n');
  if (closing.length > 0) doc.comment = closing.join('\n');
  return doc.toString({ lineWidth: 0, doubleQuotedAsJSON: true });
}
