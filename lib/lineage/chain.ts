import type { Chain, Hop } from '../events/chain.ts';

/** Chains longer than this keep their first and last hops: a loop of assumptions cannot grow state. */
export const MAX_HOPS = 8;

/** The chain one more hop out; bounded to {@link MAX_HOPS} by dropping hops from the middle. */
export function extendChain(chain: Chain, hop: Hop): Chain {
  const hops = [...chain.hops, hop];
  if (hops.length > MAX_HOPS) hops.splice(1, hops.length - MAX_HOPS);
  return { origin: chain.origin, hops };
}

/**
 * How much a chain knows, to keep the better of two links for one key: a copy of a cross-account
 * assumption seen from the role's account (origin `account`) knows less than the caller's copy, and a link
 * made before the caller's own link arrived knows fewer hops than one made after.
 */
export function chainRank(chain: Chain): number {
  const origin = chain.origin.kind === 'account' ? 0 : chain.origin.kind === 'role' ? 1 : 2;
  return chain.hops.length * 3 + origin;
}
