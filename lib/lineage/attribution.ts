import type { Chain, Hop, Origin } from '../events/chain.ts';
import type { NormalizedEvent } from '../events/normalized-event.ts';
import { parseRoleArn } from '../identity/arn.ts';
import type { Inventory, Pipeline } from '../inventory/inventory.ts';

/**
 * Which pipeline is behind a call: for each chain of its lineage, the first inventory pipeline from the
 * origin outwards. The first, because that is whose credentials the chain started from: a service
 * pipeline that assumes a shared deployer (or the platform pipeline's own role) is still the service
 * pipeline, and whatever it reaches is reached through it.
 */

export interface Attribution {
  chain: Chain;
  /** Undefined when no role of the chain is in the inventory. */
  pipeline?: Pipeline;
  /** The role the pipeline was found by, path-less (set with `pipeline`). */
  role?: string;
  /** True when the chain has a hop beyond the pipeline's own role (a chained role or a stack's service role). */
  indirect: boolean;
}

export function attributeChain(chain: Chain, inventory: Inventory): Attribution {
  if (chain.origin.kind === 'role') {
    const role = parseRoleArn(chain.origin.principal);
    const pipeline = inventory.findByRole(role);
    if (pipeline) return { chain, pipeline, role: role?.canonicalArn, indirect: chain.hops.length > 0 };
  }
  for (let i = 0; i < chain.hops.length; i++) {
    const role = parseRoleArn((chain.hops[i] as Hop).role);
    const pipeline = inventory.findByRole(role);
    if (pipeline) return { chain, pipeline, role: role?.canonicalArn, indirect: i < chain.hops.length - 1 };
  }
  return { chain, indirect: false };
}

/** One attribution per chain of the event's lineage (none when its lineage is unknown). */
export function attributionsOf(event: NormalizedEvent, inventory: Inventory): Attribution[] {
  return (event.lineage ?? []).map((chain) => attributeChain(chain, inventory));
}

/** The role's name, with its account when it differs from the one before. */
function roleLabel(arn: string, previousAccount: string | undefined): string {
  const role = parseRoleArn(arn);
  if (role === undefined) return arn;
  return role.account === previousAccount ? role.name : `${role.name} (${role.account})`;
}

function originLabel(origin: Origin): string {
  switch (origin.kind) {
    case 'web-identity':
      return `OIDC ${origin.subject ?? origin.provider ?? origin.principal}`;
    case 'saml':
      return `SAML ${origin.principal}`;
    case 'iam-user':
      return `IAM user ${origin.principal}`;
    case 'root':
      return `root of ${origin.account ?? origin.principal}`;
    case 'service':
      return origin.principal.replace(/^service:/, '');
    case 'role':
      return `${roleLabel(origin.principal, undefined)}${origin.sessionName ? ` session ${origin.sessionName}` : ''}`;
    case 'account':
      return `account ${origin.account ?? '?'} ${origin.principal}`;
    default:
      return origin.principal;
  }
}

/**
 * A chain in one line: `OIDC repo:acme/shop:ref:refs/heads/main → gha-shop-prod (222…) → cdk-…-deploy-role
 * → stack ShopStack: cdk-…-cfn-exec-role`. Contains attacker-controlled text (subjects, session names):
 * outputs escape it like every summary.
 */
export function describeChain(chain: Chain): string {
  const parts = [originLabel(chain.origin)];
  let account = chain.origin.account;
  for (const hop of chain.hops) {
    const label = roleLabel(hop.role, account);
    parts.push(hop.via === 'cloudformation' ? `stack ${hop.stack ?? '?'}: ${label}` : label);
    account = hop.account;
  }
  return parts.join(' → ');
}
