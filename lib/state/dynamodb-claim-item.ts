import { randomBytes } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { ClaimRequest } from './state-port.ts';
import { PARTITION_KEY, TTL_ATTRIBUTE } from './table-definition.ts';

/**
 * A claim item (`f#<key>` / `-`) as DynamoClaims reads and decides on it: its attributes, how it is parsed,
 * and the two decisions a repeat meets (fold into it, or re-raise it).
 */

export interface StoredClaim {
  findingId: string;
  firedAt: number;
  until: number;
  ids: Set<string>;
  overflow: number;
  /** TTL, epoch seconds. */
  ttl: number;
  /** The engine instance that took (or last re-raised) the claim; absent on items of older versions. */
  owner: string | undefined;
  /** Not yet confirmed by its owner. Items without the marker (older versions) count as confirmed. */
  unconfirmed: boolean;
  /** A random token of the write that took or re-raised the claim: recognises a retried write. */
  writeId: string | undefined;
}

/** Expression attribute names of a claim item's attributes. */
export const CLAIM_NAMES = {
  '#pk': PARTITION_KEY,
  '#fid': 'fid',
  '#at': 'at',
  '#until': 'until',
  '#ids': 'ids',
  '#ov': 'ov',
  '#own': 'own',
  '#unc': 'unc',
  '#w': 'w',
  '#ttl': TTL_ATTRIBUTE,
};

/** A claim another owner took and never confirmed: a repeat re-raises it instead of folding. */
export function reraises(stored: StoredClaim, claim: ClaimRequest): boolean {
  return stored.unconfirmed && stored.owner !== claim.owner;
}

/** Memory-store semantics: a repeat folds when it is before `until` and within its cooldown after firing. */
export function foldsInto(stored: StoredClaim | undefined, claim: ClaimRequest, nowSeconds: number): boolean {
  return (
    stored !== undefined &&
    stored.ttl > nowSeconds &&
    claim.at < stored.until &&
    claim.at > stored.firedAt - claim.cooldownMs
  );
}

/** A claim item as stored, or undefined for an item that is not one. */
export function parseClaim(item: Record<string, AttributeValue> | undefined): StoredClaim | undefined {
  const findingId = item?.fid?.S;
  const firedAt = Number(item?.at?.N);
  const until = Number(item?.until?.N);
  const ttl = Number(item?.[TTL_ATTRIBUTE]?.N);
  if (findingId === undefined || !Number.isFinite(firedAt + until + ttl)) return undefined;
  const owner = item?.own?.S;
  return {
    findingId,
    firedAt,
    until,
    ttl,
    ids: new Set(item?.ids?.SS ?? []),
    overflow: Number(item?.ov?.N ?? 0),
    owner,
    // A marker without an owner cannot be re-raised conditionally: treat it as confirmed.
    unconfirmed: item?.unc !== undefined && owner !== undefined,
    writeId: item?.w?.S,
  };
}

/** Identifies one write across the SDK's retries of it (the same request is sent again). */
export function newWriteId(): string {
  return randomBytes(9).toString('base64url');
}
