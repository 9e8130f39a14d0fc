import type { OidcProviderKind } from '../events/normalized-event.ts';

/**
 * Which CI/CD system an OIDC issuer belongs to. Public defaults are built in; GitHub Enterprise Server and
 * self-managed GitLab issuers come from config as extra mappings.
 */

/** A configured issuer (host and path, scheme optional) and the CI system behind it. */
export interface OidcIssuerMapping {
  issuer: string;
  provider: 'github' | 'gitlab';
}

const GITHUB = 'token.actions.githubusercontent.com';
// GitHub Enterprise Cloud's unique issuer: `token.actions.githubusercontent.com/<enterprise-slug>`.
const GITHUB_ENTERPRISE = `${GITHUB}/`;
// The 2021 preview issuer, still present in old trust policies and records.
const GITHUB_LEGACY = 'vstoken.actions.githubusercontent.com';
const GITLAB = 'gitlab.com';
const PROVIDER_ARN_MARK = ':oidc-provider/';

/** Lower-cased issuer without scheme or trailing `/`, for comparison only. */
export function normalizeIssuer(issuer: string): string {
  let value = issuer.trim().toLowerCase();
  if (value.startsWith('https://')) value = value.slice(8);
  else if (value.startsWith('http://')) value = value.slice(7);
  while (value.endsWith('/')) value = value.slice(0, -1);
  return value;
}

// Config passes the same array for the life of the process, so compile it once.
const compiled = new WeakMap<readonly OidcIssuerMapping[], ReadonlyMap<string, OidcProviderKind>>();

function tableOf(extra: readonly OidcIssuerMapping[]): ReadonlyMap<string, OidcProviderKind> {
  let table = compiled.get(extra);
  if (table === undefined) {
    const entries = new Map<string, OidcProviderKind>();
    for (const mapping of extra) entries.set(normalizeIssuer(mapping.issuer), mapping.provider);
    table = entries;
    compiled.set(extra, table);
  }
  return table;
}

/**
 * The provider kind for an issuer (`token.actions.githubusercontent.com`, `gitlab.com`, …). Configured
 * mappings are consulted first and match the whole issuer exactly (after normalization).
 */
export function oidcProviderOf(
  issuer: string | undefined,
  extra?: readonly OidcIssuerMapping[],
): OidcProviderKind {
  if (issuer === undefined || issuer.length === 0) return 'other';
  const normalized = normalizeIssuer(issuer);
  if (extra !== undefined && extra.length > 0) {
    const configured = tableOf(extra).get(normalized);
    if (configured !== undefined) return configured;
  }
  if (normalized === GITHUB || normalized === GITHUB_LEGACY) return 'github';
  if (normalized.startsWith(GITHUB_ENTERPRISE) && normalized.length > GITHUB_ENTERPRISE.length)
    return 'github';
  if (normalized === GITLAB) return 'gitlab';
  return 'other';
}

/**
 * The issuer named by an identity provider: the part after `oidc-provider/` of an IAM OIDC provider ARN,
 * or the value itself when it is a bare host (Cognito's `cognito-identity.amazonaws.com`).
 */
export function issuerOfProvider(provider: string | undefined): string | undefined {
  if (provider === undefined || provider.length === 0) return undefined;
  if (!provider.startsWith('arn:')) return provider;
  const mark = provider.indexOf(PROVIDER_ARN_MARK);
  if (mark < 0) return undefined;
  const issuer = provider.slice(mark + PROVIDER_ARN_MARK.length);
  return issuer.length > 0 ? issuer : undefined;
}

/**
 * The provider ARN at the head of a web-identity principalId (`<providerArn>:<aud>:<sub>`): it ends at
 * the first `:` after `oidc-provider/`, since issuer hosts and paths contain no `:`.
 */
export function providerArnInPrincipal(principalId: string | undefined): string | undefined {
  if (principalId === undefined || !principalId.startsWith('arn:')) return undefined;
  const mark = principalId.indexOf(PROVIDER_ARN_MARK);
  if (mark < 0) return undefined;
  const end = principalId.indexOf(':', mark + PROVIDER_ARN_MARK.length);
  return end < 0 ? principalId : principalId.slice(0, end);
}
