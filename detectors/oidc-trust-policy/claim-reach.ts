import type { CiProvider } from '../../lib/identity/ci-issuer.ts';
import { hasWildcard, iamGlobMatches } from './iam-glob.ts';

/** How far the values of one condition reach; a dimension the claim does not constrain stays open. */
export interface Reach {
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
export function subjectReach(provider: CiProvider, value: string, pattern: boolean): Reach {
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

export type ClaimReach = (value: string, pattern: boolean) => Reach;

const closedPath = { anyOwner: false, anyRepo: false };

/** GitHub claim keys STS evaluates since 2026 that pin the repository or the ref without `sub`. */
export const GITHUB_CLAIMS: Readonly<Record<string, ClaimReach>> = {
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

/** The reach of conditions that must all hold (a statement's conditions AND together). */
export function intersect(reaches: readonly Reach[]): Reach {
  return {
    anyOwner: reaches.every((reach) => reach.anyOwner),
    anyRepo: reaches.every((reach) => reach.anyRepo),
    anyRef: reaches.every((reach) => reach.anyRef),
    pullRequest: reaches.every((reach) => reach.pullRequest),
  };
}

/** The reach of values of which any may match (one condition's values OR together). */
export function union(reaches: readonly Reach[]): Reach {
  return {
    anyOwner: reaches.some((reach) => reach.anyOwner),
    anyRepo: reaches.some((reach) => reach.anyRepo),
    anyRef: reaches.some((reach) => reach.anyRef),
    pullRequest: reaches.some((reach) => reach.pullRequest),
  };
}
