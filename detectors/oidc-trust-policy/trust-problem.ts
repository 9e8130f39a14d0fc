import type { Severity } from '../../lib/engine/finding.ts';

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
