import type { OidcClaims, OidcProviderKind } from '../events/normalized-event.ts';

/**
 * Reads claims out of an OIDC `sub`. Subjects are `key:value` pairs joined by `:`, where a value's own
 * `:` is percent-encoded (`%3A`) by GitHub:
 * - GitHub defaults: `repo:O/R:ref:refs/heads/B`, `…:ref:refs/tags/T`, `…:pull_request`, `…:environment:E`;
 *   immutable form `repo:O@<id>/R@<id>:…`; custom `include_claim_keys` templates such as
 *   `repo:O/R:environment:prod:job_workflow_ref:O/A/.github/workflows/x.yml@refs/heads/main`,
 *   `repository_owner:O:repository_visibility:private`, `repository_id:123`.
 * - GitLab: `project_path:GROUP/SUB/PROJECT:ref_type:branch|tag:ref:NAME` (and custom subjects).
 *
 * The subject is attacker-influenced (branch names), so parsing is `split`/`indexOf` only, bounded in the
 * number of pairs, and never throws.
 */

/** Enough pairs for any real template; a hostile subject's tail beyond this is ignored. */
const MAX_TOKENS = 128;

const HEADS = 'refs/heads/';
const TAGS = 'refs/tags/';
const GITHUB_PULLS = 'refs/pull/';
const GITLAB_MERGE_REQUESTS = 'refs/merge-requests/';

/** Keys that, leading a subject, identify a GitHub/GitLab template even for an unrecognized issuer. */
const LEADING_KEYS: ReadonlySet<string> = new Set([
  'repo',
  'repository',
  'repository_owner',
  'repository_owner_id',
  'repository_id',
  'project_path',
  'namespace_path',
]);

/** `%3A` → `:` (GitHub's only escape in subjects); no general URI decoding, which can throw. */
function decode(value: string): string {
  return value.includes('%3') ? value.replaceAll('%3A', ':').replaceAll('%3a', ':') : value;
}

/** Splits `NAME@123` into the name and its numeric id (GitHub's immutable subjects). */
function splitId(part: string): { name: string; id?: string } {
  const at = part.lastIndexOf('@');
  if (at <= 0 || at === part.length - 1) return { name: part };
  for (let i = at + 1; i < part.length; i++) {
    const code = part.charCodeAt(i);
    if (code < 48 || code > 57) return { name: part };
  }
  return { name: part.slice(0, at), id: part.slice(at + 1) };
}

/** Fills owner/repository from `OWNER/REPO` (GitHub, with optional `@id`s) or `GROUP/SUB/PROJECT` (GitLab). */
function setRepository(claims: OidcClaims, path: string): void {
  const slash = path.lastIndexOf('/');
  if (slash <= 0 || slash === path.length - 1) {
    claims.repositoryPath ??= path;
    return;
  }
  const owner = splitId(path.slice(0, slash));
  const repository = splitId(path.slice(slash + 1));
  claims.owner ??= owner.name;
  claims.repository ??= repository.name;
  claims.repositoryPath ??= `${owner.name}/${repository.name}`;
  if (owner.id !== undefined) claims.ownerId ??= owner.id;
  if (repository.id !== undefined) claims.repositoryId ??= repository.id;
}

function setExtra(claims: OidcClaims, key: string, value: string): void {
  // `__proto__` as an own key would rewrite the object's prototype instead.
  if (key === '__proto__') return;
  claims.extra ??= {};
  if (!Object.hasOwn(claims.extra, key)) claims.extra[key] = value;
}

/** Applies one `key:value` pair; the first occurrence of a known key wins. */
function applyPair(claims: OidcClaims, key: string, value: string, refType: { value?: string }): void {
  switch (key) {
    case 'repo':
    case 'repository':
    case 'project_path':
      setRepository(claims, value);
      return;
    case 'repository_owner':
    case 'namespace_path':
      claims.owner ??= value;
      return;
    case 'repository_owner_id':
    case 'namespace_id':
      claims.ownerId ??= value;
      return;
    case 'repository_id':
    case 'project_id':
      claims.repositoryId ??= value;
      return;
    case 'ref':
      claims.ref ??= value;
      return;
    case 'ref_type':
      refType.value ??= value;
      return;
    case 'environment':
      claims.environment ??= decode(value);
      return;
    default:
      setExtra(claims, key, value);
  }
}

/** Derives branch / tag / pull-request facts from `ref` (GitHub `refs/…`, GitLab bare name + `ref_type`). */
function classifyRef(claims: OidcClaims, refType: string | undefined): void {
  const ref = claims.ref;
  if (ref === undefined) return;
  if (ref.startsWith(HEADS)) claims.branch = decode(ref.slice(HEADS.length));
  else if (ref.startsWith(TAGS)) claims.tag = decode(ref.slice(TAGS.length));
  else if (ref.startsWith(GITHUB_PULLS) || ref.startsWith(GITLAB_MERGE_REQUESTS)) claims.pullRequest = true;
  else if (refType === 'branch') claims.branch = decode(ref);
  else if (refType === 'tag') claims.tag = decode(ref);
}

/**
 * Parses a subject into claims. For `github`/`gitlab` always; for `other` issuers only when the subject
 * leads with a GitHub/GitLab key (a GHES or self-managed GitLab issuer nobody configured), since EKS
 * (`system:serviceaccount:ns:sa`) or Buildkite subjects are not `key:value` pairs of that vocabulary.
 */
export function parseOidcSubject(subject: string, provider: OidcProviderKind): OidcClaims {
  const claims: OidcClaims = {};
  if (typeof subject !== 'string' || subject.length === 0) return claims;
  const tokens = subject.split(':', MAX_TOKENS);
  if (provider === 'other' && !LEADING_KEYS.has(tokens[0] ?? '')) return claims;
  const refType: { value?: string } = {};
  let i = 0;
  while (i < tokens.length) {
    const key = tokens[i] ?? '';
    // `pull_request` is the one valueless token (GitHub's `context` for pull-request jobs).
    if (key === 'pull_request') {
      claims.pullRequest = true;
      i += 1;
      continue;
    }
    const value = tokens[i + 1];
    if (value === undefined) break;
    if (key.length > 0) applyPair(claims, key, value, refType);
    i += 2;
  }
  if (refType.value !== undefined) setExtra(claims, 'ref_type', refType.value);
  classifyRef(claims, refType.value);
  return claims;
}
