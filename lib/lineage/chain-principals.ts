import type { Chain } from '../events/chain.ts';
import type { NormalizedEvent } from '../events/normalized-event.ts';
import type { Inventory, Pipeline } from '../inventory/inventory.ts';
import { attributeChain, describeChain } from './attribution.ts';

/**
 * What stateful detectors key their state by, read off a chain: the principal a chain started from (so a
 * chained session's calls count where that principal's own calls do) and the pipeline behind it. Each is
 * worked out once per chain object: the lineage step hands the same chain to every event one key signs in
 * a batch, and stateful detectors look at nearly every event.
 */

/**
 * The counting key of the principal that signed a call: a role by its path-less ARN, the form chains name
 * roles in (a role name is unique in its account, path or not), else the actor key.
 */
export function principalKeyOf(event: NormalizedEvent): string {
  return event.actor.role?.canonicalArn ?? event.actor.key;
}

/**
 * The key a chain's origin counts under, in the form {@link principalKeyOf} gives that principal's own
 * calls: for a token or service origin, the role it was issued (a runner's pipeline role, a task's role),
 * not the identity provider or service every such session shares. Undefined when the chain names no
 * principal that signs calls itself (the role owner's copy of a cross-account assumption, unknown types).
 */
export function originKeyOf(chain: Chain): string | undefined {
  const { origin } = chain;
  switch (origin.kind) {
    case 'web-identity':
    case 'saml':
    case 'service':
      return chain.hops[0]?.role;
    case 'role':
    case 'iam-user':
    case 'root':
      return origin.principal;
    default:
      return undefined;
  }
}

/** The first inventory pipeline of a chain (as `attributeChain` finds it) and the role it was found by. */
export interface PipelineBehind {
  pipeline: Pipeline;
  /** That pipeline's role, path-less: the key its own calls count under ({@link principalKeyOf}). */
  role: string;
  /** True when the chain enters a role beyond the pipeline's own (a chained role, a stack's service role). */
  indirect: boolean;
}

const behindCache = new WeakMap<Inventory, WeakMap<Chain, PipelineBehind | null>>();

/** The pipeline behind a chain, once per chain object and inventory; undefined when no role is inventoried. */
export function pipelineBehind(chain: Chain, inventory: Inventory): PipelineBehind | undefined {
  let byChain = behindCache.get(inventory);
  if (byChain === undefined) {
    byChain = new WeakMap();
    behindCache.set(inventory, byChain);
  }
  let behind = byChain.get(chain);
  if (behind === undefined) {
    behind = findBehind(chain, inventory) ?? null;
    byChain.set(chain, behind);
  }
  return behind ?? undefined;
}

function findBehind(chain: Chain, inventory: Inventory): PipelineBehind | null {
  const { pipeline, role, indirect } = attributeChain(chain, inventory);
  return pipeline === undefined || role === undefined ? null : { pipeline, role, indirect };
}

const textCache = new WeakMap<Chain, string>();

/** `describeChain` once per chain object (attacker-controlled text inside: outputs escape it). */
export function chainText(chain: Chain): string {
  let text = textCache.get(chain);
  if (text === undefined) {
    text = describeChain(chain);
    textCache.set(chain, text);
  }
  return text;
}
