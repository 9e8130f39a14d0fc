import type { Chain } from '../events/chain.ts';
import { objectValue } from '../events/record-fields.ts';

/**
 * What lineage keeps in the state port, all under the `lineage|` namespace (detectors' keys are prefixed
 * with their ids, so none can collide):
 *
 * - `link:<accessKeyId>` (remembered until the session expires): the chain of the session that key signs.
 * - `stack-role:<account>:<region>:<stack>` (remembered 30 days): the stack's service role, so operations
 *   that do not repeat `roleARN` (ExecuteChangeSet, most UpdateStacks) are still known to use it.
 * - `stack-ops:<account>:<role>` (counter entries, one per operation): stack operations that run with that
 *   service role, by time; `stack-op:<eventId>` (remembered) holds each one's chain and stack.
 * - `parked:<accessKeyId>` and `parked-stack:<account>:<role>` (counter entries): calls judged before
 *   their link or stack operation was known; `record:<eventId>` (remembered) holds each one's record, so
 *   it can be judged again when the link arrives; `parked-flag:<accessKeyId>` (remembered) says that a key
 *   has parked calls, so an assumption reads them only then.
 */

const NS = 'lineage|';

/** Bound on the memo tables below: past it they start over (a miss costs one concatenation or parse). */
const MAX_MEMO = 20_000;
const linkKeys = new Map<string, string>();

/**
 * The link key of an access key, remembered: the same session keys sign call after call, and lineage asks
 * for each key's link twice per event (to fetch it, then to read it).
 */
export function linkKey(accessKeyId: string): string {
  let key = linkKeys.get(accessKeyId);
  if (key === undefined) {
    key = `${NS}link:${accessKeyId}`;
    if (linkKeys.size >= MAX_MEMO) linkKeys.clear();
    linkKeys.set(accessKeyId, key);
  }
  return key;
}
export const stackRoleKey = (account: string, region: string | undefined, stack: string) =>
  `${NS}stack-role:${account}:${region ?? ''}:${stack}`;
export const stackOpsKey = (account: string, role: string) => `${NS}stack-ops:${account}:${role}`;
export const stackOpKey = (eventId: string) => `${NS}stack-op:${eventId}`;
export const parkedKey = (accessKeyId: string) => `${NS}parked:${accessKeyId}`;
export const parkedFlagKey = (accessKeyId: string) => `${NS}parked-flag:${accessKeyId}`;
export const parkedStackKey = (account: string, role: string) => `${NS}parked-stack:${account}:${role}`;
export const recordKey = (eventId: string) => `${NS}record:${eventId}`;

/** A stack operation as remembered: who started it (their chain) and on which stack and region. */
export interface StoredOperation {
  chain: Chain;
  stack: string;
  region?: string;
}

function parse(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    return objectValue(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function isChain(value: unknown): value is Chain {
  const chain = objectValue(value);
  const origin = objectValue(chain?.origin);
  return (
    typeof origin?.kind === 'string' && typeof origin.principal === 'string' && Array.isArray(chain?.hops)
  );
}

const chains = new Map<string, Chain | null>();

/**
 * A stored chain; undefined for anything this code did not write. Parsed once per text: a session's link
 * comes back from the store batch after batch, unchanged (chains are never mutated once read).
 */
export function readChain(text: string | undefined): Chain | undefined {
  if (text === undefined) return undefined;
  const known = chains.get(text);
  if (known !== undefined) return known ?? undefined;
  const value = parse(text);
  const chain = isChain(value) ? value : undefined;
  if (chains.size >= MAX_MEMO) chains.clear();
  chains.set(text, chain ?? null);
  return chain;
}

export function readOperation(text: string | undefined): StoredOperation | undefined {
  const value = parse(text);
  if (value === undefined || !isChain(value.chain) || typeof value.stack !== 'string') return undefined;
  return {
    chain: value.chain,
    stack: value.stack,
    region: typeof value.region === 'string' ? value.region : undefined,
  };
}

/** A parked record; undefined for anything that is not a JSON object. */
export function readRecord(text: string | undefined): Record<string, unknown> | undefined {
  return parse(text);
}
