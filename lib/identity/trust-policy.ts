import { type Severity, severityRank } from '../engine/finding.ts';
import { type CiProvider, ciProviderOf, issuerKey } from './ci-issuer.ts';
import type { OidcIssuerMapping } from './oidc-issuer.ts';

/**
 * Static analysis of an IAM role trust policy for the ways CI OIDC trust goes wrong (aws-facts §3.2):
 * GitHub signs tokens for every repository with the same keys, so whatever the conditions leave open is
 * open to the whole platform. Pure and total: malformed input yields `undefined`, never an exception.
 *
 * Conditions AND together and the values of one condition OR together, so the reach of a statement is
 * the narrowest reach among its conditions, each condition reaching as far as its widest value.
 */

export type TrustProblemKind =
  /** No `sub` (or repository claim) condition: any repository on the platform can assume the role. */
  | 'no-sub'
  /** A wildcard in the owner/group part: anyone can create a matching owner. */
  | 'any-owner'
  /** A wildcard over the repository, or over the whole ref/environment part. */
  | 'wildcard-sub'
  /** `ForAllValues:` on a claim in an Allow statement: true when the claim is absent. */
  | 'for-all-values'
  /** `pull_request` subjects may assume a production pipeline role. */
  | 'pull-request-prod'
  /** No audience condition. */
  | 'no-aud';

export const TRUST_PROBLEM_SEVERITY: Readonly<Record<TrustProblemKind, Severity>> = {
  'no-sub': 'critical',
  'any-owner': 'critical',
  'pull-request-prod': 'critical',
  'wildcard-sub': 'high',
  'for-all-values': 'high',
  'no-aud': 'medium',
};

export interface TrustProblem {
  kind: TrustProblemKind;
  severity: Severity;
  /** Index of the statement in `Statement` (0-based; 0 when `Statement` is a single object). */
  statement: number;
  sid?: string;
  issuer: string;
  message: string;
  /** The condition values (or operators) behind the problem. */
  values?: string[];
}

/** A statement that lets a CI issuer's tokens assume the role, as read. */
export interface CiTrustStatement {
  statement: number;
  sid?: string;
  issuer: string;
  provider: CiProvider;
  subjects: string[];
  audiences: string[];
}

export interface TrustPolicyAnalysis {
  statements: CiTrustStatement[];
  /** Worst first. */
  problems: TrustProblem[];
  worst?: TrustProblem;
}

export interface TrustPolicyOptions {
  /** CI issuers beyond public GitHub and gitlab.com (from the inventory). */
  issuers?: readonly OidcIssuerMapping[];
  /** The role is a production pipeline role: `pull_request` subjects are then a problem of their own. */
  prod?: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (Array.isArray(value)) return value.flatMap((item) => (typeof item === 'object' ? [] : strings(item)));
  return [];
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * A policy document from a record: an object, a JSON string, or (in older records) a URL-encoded JSON
 * string (`%7B%22Version…`), possibly form-encoded with `+` for spaces.
 */
export function parsePolicyDocument(raw: unknown): Record<string, unknown> | undefined {
  if (isRecord(raw)) return raw;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  const candidates = text.startsWith('{') ? [text] : [decode(text), decode(text.replaceAll('+', ' '))];
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    try {
      const parsed: unknown = JSON.parse(candidate);
      if (isRecord(parsed)) return parsed;
    } catch {
      // Try the next decoding.
    }
  }
  return undefined;
}

/** IAM `StringLike` matching: `*` any run of characters, `?` exactly one. Linear, no backtracking blow-up. */
export function iamGlobMatches(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    const char = pattern[p];
    if (char === '*') {
      star = p++;
      resume = v;
    } else if (p < pattern.length && (char === '?' || char === value[v])) {
      p++;
      v++;
    } else if (star >= 0) {
      p = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

const hasWildcard = (text: string): boolean => text.includes('*') || text.includes('?');

/** How far the values of one condition reach; a dimension the claim does not constrain stays open. */
interface Reach {
  anyOwner: boolean;
  anyRepo: boolean;
  anyRef: boolean;
  pullRequest: boolean;
}

const OPEN: Reach = { anyOwner: true, anyRepo: true, anyRef: true, pullRequest: true };
const PROBE = 'zz-trailguard-probe';

/** Owner (first segment) and repository (the rest up to `stop`) of an `owner/repo…` path. */
function pathReach(path: string, stop: RegExp): Pick<Reach, 'anyOwner' | 'anyRepo'> {
  const slash = path.indexOf('/');
  if (hasWildcard(slash < 0 ? path : path.slice(0, slash))) return { anyOwner: true, anyRepo: true };
  const rest = slash < 0 ? '' : path.slice(slash + 1);
  const end = rest.search(stop);
  return { anyOwner: false, anyRepo: hasWildcard(end < 0 ? rest : rest.slice(0, end)) };
}

const fill = (text: string): string => text.replace(/[*?]/g, 'x');

/**
 * The reach of one `sub` value. GitHub: `repo:<owner>/<repo>:<context>` (also the immutable
 * `owner@id/repo@id` form); GitLab: `project_path:<group>/<project>:ref_type:…`. Ref reach is probed: a
 * pattern reaches every ref when it matches both a branch and an environment (GitLab: a branch and a
 * tag) of the repository it names, so `ref:refs/heads/*` is not flagged but `repo:org/app:*` is.
 */
function subjectReach(provider: CiProvider, value: string, pattern: boolean): Reach {
  const prefix = provider === 'github' ? 'repo:' : 'project_path:';
  const literalPullRequest = provider === 'github' && value.split(':').includes('pull_request');
  if (!pattern || !hasWildcard(value)) {
    return { anyOwner: false, anyRepo: false, anyRef: false, pullRequest: literalPullRequest };
  }
  if (!value.startsWith(prefix)) {
    // A custom subject template we cannot take apart. When the literal text before the first wildcard
    // could still begin a default subject (`*`, `re*`), every owner's tokens match; any other wildcard may
    // span repository and ref alike.
    const literal = value.slice(0, value.search(/[*?]/));
    return { anyOwner: prefix.startsWith(literal), anyRepo: true, anyRef: true, pullRequest: true };
  }
  const body = value.slice(prefix.length);
  const colon = body.indexOf(':');
  const path = colon < 0 ? body : body.slice(0, colon);
  const { anyOwner, anyRepo } = pathReach(path, /$/);
  if (anyOwner) return OPEN;
  const base = `${prefix}${fill(path)}`;
  const matches = (context: string) => iamGlobMatches(value, `${base}:${context}`);
  const probes =
    provider === 'github'
      ? [`ref:refs/heads/${PROBE}`, `environment:${PROBE}`]
      : [`ref_type:branch:ref:${PROBE}`, `ref_type:tag:ref:${PROBE}`];
  return {
    anyOwner: false,
    anyRepo,
    anyRef: probes.every(matches),
    pullRequest: provider === 'github' && matches('pull_request'),
  };
}

type ClaimReach = (value: string, pattern: boolean) => Reach;

const closedPath = { anyOwner: false, anyRepo: false };

/** GitHub claim keys STS evaluates since 2026 that pin the repository or the ref without `sub`. */
const GITHUB_CLAIMS: Readonly<Record<string, ClaimReach>> = {
  repository: (value, pattern) => ({ ...OPEN, ...(pattern ? pathReach(value, /$/) : closedPath) }),
  job_workflow_ref: (value, pattern) => ({ ...OPEN, ...(pattern ? pathReach(value, /[/@]/) : closedPath) }),
  repository_id: (value, pattern) => ({ ...OPEN, anyOwner: pattern && hasWildcard(value), anyRepo: false }),
  ref: (value, pattern) => {
    const matches = (ref: string) => !pattern || iamGlobMatches(value, ref);
    return {
      ...OPEN,
      anyRef: pattern && matches(`refs/heads/${PROBE}`) && matches(`refs/tags/${PROBE}`),
      pullRequest: pattern ? matches('refs/pull/1/merge') : value.startsWith('refs/pull/'),
    };
  },
  environment: (value, pattern) => {
    const open = pattern && iamGlobMatches(value, PROBE);
    // A job without an environment (pull requests included) has no such claim, so the condition fails.
    return { ...OPEN, anyRef: open, pullRequest: open };
  },
};

const REPOSITORY_CLAIMS: ReadonlySet<string> = new Set([
  'sub',
  'repository',
  'repository_id',
  'job_workflow_ref',
]);
const REF_CLAIMS: ReadonlySet<string> = new Set(['sub', 'ref', 'environment']);

const POSITIVE_OPERATORS: ReadonlySet<string> = new Set([
  'stringequals',
  'stringequalsignorecase',
  'stringlike',
]);

interface ConditionEntry {
  /** As written, e.g. `ForAllValues:StringLike`. */
  operator: string;
  /** Lower case, without `ForAnyValue:`/`ForAllValues:` and `IfExists`. */
  base: string;
  forAllValues: boolean;
  /** Lower case: IAM condition keys are case-insensitive. */
  key: string;
  values: string[];
}

function conditionEntries(condition: unknown): ConditionEntry[] {
  if (!isRecord(condition)) return [];
  const entries: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries(condition)) {
    if (!isRecord(block)) continue;
    const lower = operator.toLowerCase();
    const colon = lower.indexOf(':');
    const qualifier = colon < 0 ? '' : lower.slice(0, colon);
    const base = (colon < 0 ? lower : lower.slice(colon + 1)).replace(/ifexists$/, '');
    for (const [key, value] of Object.entries(block)) {
      entries.push({
        operator,
        base,
        forAllValues: qualifier === 'forallvalues',
        key: key.toLowerCase(),
        values: strings(value),
      });
    }
  }
  return entries;
}

const WEB_IDENTITY = 'sts:assumerolewithwebidentity';

function grantsWebIdentity(statement: Record<string, unknown>): boolean {
  const matches = (patterns: unknown) =>
    strings(patterns).some((pattern) => iamGlobMatches(pattern.toLowerCase(), WEB_IDENTITY));
  if (statement.Action !== undefined) return matches(statement.Action);
  return statement.NotAction !== undefined && !matches(statement.NotAction);
}

function intersect(reaches: readonly Reach[]): Reach {
  return {
    anyOwner: reaches.every((reach) => reach.anyOwner),
    anyRepo: reaches.every((reach) => reach.anyRepo),
    anyRef: reaches.every((reach) => reach.anyRef),
    pullRequest: reaches.every((reach) => reach.pullRequest),
  };
}

function union(reaches: readonly Reach[]): Reach {
  return {
    anyOwner: reaches.some((reach) => reach.anyOwner),
    anyRepo: reaches.some((reach) => reach.anyRepo),
    anyRef: reaches.some((reach) => reach.anyRef),
    pullRequest: reaches.some((reach) => reach.pullRequest),
  };
}

const PLATFORM: Readonly<Record<CiProvider, string>> = { github: 'GitHub', gitlab: 'GitLab' };

/** The problems of one Allow statement for one CI issuer. */
function analyzeIssuer(
  entries: readonly ConditionEntry[],
  issuer: string,
  provider: CiProvider,
  prod: boolean,
  problem: (kind: TrustProblemKind, message: string, values?: string[]) => void,
): { subjects: string[]; audiences: string[] } {
  const claimOf = (entry: ConditionEntry) =>
    entry.key.startsWith(`${issuer}:`) ? entry.key.slice(issuer.length + 1) : '';
  const positive = entries.filter((entry) => POSITIVE_OPERATORS.has(entry.base) && claimOf(entry) !== '');
  // Each value with its reach; a condition reaches as far as its widest value.
  const scoped = positive.flatMap((entry) => {
    const claim = claimOf(entry);
    const reachOf: ClaimReach | undefined =
      claim === 'sub'
        ? (value, pattern) => subjectReach(provider, value, pattern)
        : provider === 'github'
          ? GITHUB_CLAIMS[claim]
          : undefined;
    if (!reachOf) return [];
    const values = entry.values.map((value) => ({
      value,
      reach: reachOf(value, entry.base === 'stringlike'),
    }));
    return [{ claim, values, reach: union(values.map((item) => item.reach)) }];
  });
  const subjects = positive.filter((entry) => claimOf(entry) === 'sub').flatMap((entry) => entry.values);
  const audiences = positive.filter((entry) => claimOf(entry) === 'aud').flatMap((entry) => entry.values);
  const reach = intersect(scoped.map((item) => item.reach));
  const platform = PLATFORM[provider];
  /** The values behind an open dimension, from the claims that can close it. */
  const culprits = (open: (reach: Reach) => boolean, claims: ReadonlySet<string>) =>
    scoped
      .filter((item) => claims.has(item.claim))
      .flatMap((item) => item.values.filter((value) => open(value.reach)).map((value) => value.value));

  const pinned = scoped.some((item) => REPOSITORY_CLAIMS.has(item.claim));
  if (!pinned) {
    problem('no-sub', `no ${issuer}:sub condition: any ${platform} repository can assume the role`);
  } else if (reach.anyOwner) {
    const values = culprits((r) => r.anyOwner, REPOSITORY_CLAIMS);
    problem('any-owner', `the subject pattern admits any ${platform} owner`, values);
  } else if (reach.anyRepo) {
    const values = culprits((r) => r.anyRepo, REPOSITORY_CLAIMS);
    problem('wildcard-sub', 'the subject pattern admits every repository of the owner', values);
  } else if (reach.anyRef) {
    const values = culprits((r) => r.anyRef, REF_CLAIMS);
    problem('wildcard-sub', 'the subject pattern admits every branch, tag and environment', values);
  }
  // Without any repository condition the no-sub problem already says it all.
  if (prod && pinned && reach.pullRequest) {
    const values = culprits((r) => r.pullRequest, REF_CLAIMS);
    problem('pull-request-prod', 'pull_request subjects may assume a production pipeline role', values);
  }
  for (const entry of entries) {
    const claim = claimOf(entry);
    if (entry.forAllValues && claim !== '') {
      problem('for-all-values', `${entry.operator} on ${claim} is true when the claim is absent`, [
        entry.operator,
      ]);
    }
  }
  const audience = positive.some(
    (entry) =>
      claimOf(entry) === 'aud' &&
      !entry.values.every((value) => entry.base === 'stringlike' && /^[*?]+$/.test(value)),
  );
  if (!audience) problem('no-aud', `no ${issuer}:aud condition`);
  return { subjects, audiences };
}

/**
 * Reads a trust policy and reports, for every Allow statement that lets a CI issuer's tokens call
 * `sts:AssumeRoleWithWebIdentity`, what its conditions leave open. Undefined when the document cannot be
 * parsed; an empty analysis when it trusts no CI issuer.
 */
export function analyzeTrustPolicy(
  raw: unknown,
  options: TrustPolicyOptions = {},
): TrustPolicyAnalysis | undefined {
  const document = parsePolicyDocument(raw);
  if (!document) return undefined;
  const list = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  const statements: CiTrustStatement[] = [];
  const problems: TrustProblem[] = [];
  list.forEach((statement: unknown, index) => {
    // IAM only accepts a string Effect; String() of anything else (a deep array) could overflow the stack.
    if (!isRecord(statement) || typeof statement.Effect !== 'string') return;
    if (statement.Effect.toLowerCase() !== 'allow') return;
    if (!grantsWebIdentity(statement) || !isRecord(statement.Principal)) return;
    const sid = typeof statement.Sid === 'string' ? statement.Sid : undefined;
    const entries = conditionEntries(statement.Condition);
    for (const federated of strings(statement.Principal.Federated)) {
      const provider = ciProviderOf(federated, options.issuers);
      if (!provider) continue;
      const issuer = issuerKey(federated);
      const found = analyzeIssuer(
        entries,
        issuer,
        provider,
        options.prod === true,
        (kind, message, values) => {
          problems.push({
            kind,
            severity: TRUST_PROBLEM_SEVERITY[kind],
            statement: index,
            sid,
            issuer,
            message,
            values,
          });
        },
      );
      statements.push({ statement: index, sid, issuer, provider, ...found });
    }
  });
  problems.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  return { statements, problems, worst: problems[0] };
}
