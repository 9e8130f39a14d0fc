import { severityRank } from '../../lib/engine/finding.ts';
import { isRecord } from '../../lib/events/record-fields.ts';
import { type CiProvider, ciProviderOf, issuerKey } from '../../lib/identity/ci-issuer.ts';
import type { OidcIssuerMapping } from '../../lib/identity/oidc-issuer.ts';
import { type ClaimReach, GITHUB_CLAIMS, intersect, type Reach, subjectReach, union } from './claim-reach.ts';
import { type ConditionEntry, conditionEntries } from './condition-entries.ts';
import { iamGlobMatches } from './iam-glob.ts';
import { parsePolicyDocument, policyStrings } from './policy-document.ts';
import { TRUST_PROBLEM_SEVERITY, type TrustProblem, type TrustProblemKind } from './trust-problem.ts';

/**
 * Static analysis of an IAM role trust policy for the ways CI OIDC trust goes wrong (aws-facts §3.2):
 * GitHub signs tokens for every repository with the same keys, so whatever the conditions leave open is
 * open to the whole platform. Pure and total: malformed input yields `undefined`, never an exception.
 *
 * Conditions AND together and the values of one condition OR together, so the reach of a statement is
 * the narrowest reach among its conditions, each condition reaching as far as its widest value.
 */

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

const WEB_IDENTITY = 'sts:assumerolewithwebidentity';

function grantsWebIdentity(statement: Record<string, unknown>): boolean {
  const matches = (patterns: unknown) =>
    policyStrings(patterns).some((pattern) => iamGlobMatches(pattern.toLowerCase(), WEB_IDENTITY));
  if (statement.Action !== undefined) return matches(statement.Action);
  return statement.NotAction !== undefined && !matches(statement.NotAction);
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
    for (const federated of policyStrings(statement.Principal.Federated)) {
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
