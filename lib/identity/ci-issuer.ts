import type { Inventory } from '../inventory/inventory.ts';
import { issuerOfProvider, normalizeIssuer, type OidcIssuerMapping, oidcProviderOf } from './oidc-issuer.ts';

/**
 * CI issuers as detectors see them: the built-in public ones (lib/identity/oidc-issuer.ts) plus those the
 * inventory names (`pipelines[].oidc.issuer`: GHES, GitHub Enterprise custom issuers, self-managed
 * GitLab), which `normalizeRecord` cannot know because it runs without configuration.
 */

export type CiProvider = 'github' | 'gitlab';

// One array per inventory, so oidc-issuer's per-array table is compiled once, not per event.
const cache = new WeakMap<Inventory, readonly OidcIssuerMapping[]>();

/** The issuer → provider mappings the inventory configures. */
export function configuredIssuers(inventory: Inventory): readonly OidcIssuerMapping[] {
  let mappings = cache.get(inventory);
  if (mappings === undefined) {
    mappings = inventory.pipelines.flatMap((pipeline) =>
      pipeline.oidc?.issuer ? [{ issuer: pipeline.oidc.issuer, provider: pipeline.oidc.provider }] : [],
    );
    cache.set(inventory, mappings);
  }
  return mappings;
}

/** Issuer host and path, lower case, from an OIDC provider ARN, a URL or a bare host. */
export function issuerKey(providerOrIssuer: string): string {
  return normalizeIssuer(issuerOfProvider(providerOrIssuer) ?? providerOrIssuer);
}

/** The CI system behind a provider ARN or issuer; undefined for EKS IRSA, Cognito, Google, Buildkite… */
export function ciProviderOf(
  providerOrIssuer: string | undefined,
  configured: readonly OidcIssuerMapping[] = [],
): CiProvider | undefined {
  if (!providerOrIssuer) return undefined;
  const provider = oidcProviderOf(issuerOfProvider(providerOrIssuer), configured);
  return provider === 'other' ? undefined : provider;
}
