import {
  type AttributeValue,
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { type DynamoContext, PARALLEL_REQUESTS } from './dynamodb-context.ts';
import { partitionKey, SINGLE_ITEM_SORT_KEY, ttlSeconds } from './dynamodb-keys.ts';
import { mapLimit } from './map-limit.ts';
import type { ClaimRequest, ClaimResult } from './state-port.ts';
import { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from './table-definition.ts';

/**
 * Event ids a claim item keeps (about 20 KB of UUIDs). `count` is the number of distinct ids folded in
 * up to this many; past it, repeats are added to a plain number, so a redelivery can overcount.
 */
export const MAX_STORED_EVENT_IDS = 500;
const MAX_CACHED_CLAIMS = 10_000;

interface StoredClaim {
  findingId: string;
  firedAt: number;
  until: number;
  ids: Set<string>;
  overflow: number;
  /** TTL, epoch seconds. */
  ttl: number;
}

type WriteOutcome = { ok: true; stored: StoredClaim } | { ok: false; stored: StoredClaim | undefined };

const NAMES = {
  '#pk': PARTITION_KEY,
  '#fid': 'fid',
  '#at': 'at',
  '#until': 'until',
  '#ids': 'ids',
  '#ov': 'ov',
  '#ttl': TTL_ATTRIBUTE,
};

/** Memory-store semantics: a repeat folds when it is before `until` and within its cooldown after firing. */
function foldsInto(stored: StoredClaim | undefined, claim: ClaimRequest, nowSeconds: number): boolean {
  return (
    stored !== undefined &&
    stored.ttl > nowSeconds &&
    claim.at < stored.until &&
    claim.at > stored.firedAt - claim.cooldownMs
  );
}

function parseClaim(item: Record<string, AttributeValue> | undefined): StoredClaim | undefined {
  const findingId = item?.fid?.S;
  const firedAt = Number(item?.at?.N);
  const until = Number(item?.until?.N);
  const ttl = Number(item?.[TTL_ATTRIBUTE]?.N);
  if (findingId === undefined || !Number.isFinite(firedAt + until + ttl)) return undefined;
  return {
    findingId,
    firedAt,
    until,
    ttl,
    ids: new Set(item?.ids?.SS ?? []),
    overflow: Number(item?.ov?.N ?? 0),
  };
}

/**
 * Claims as one conditional item per finding key. The first claim is an UpdateItem whose condition is
 * "no live claim whose cooldown covers this time", so of two processes racing, exactly one is first; the
 * loser's failed condition returns the winner's item, and the repeat is folded in with a second write
 * conditioned on that same finding still being there. Claims for one key in a batch are decided in order
 * against the state the previous one left, and written together: one request per key per batch when
 * nothing races. A per-process cache of the last state seen lets a later batch fold in one request too;
 * every write is conditional, so a stale cache only costs a retry.
 */
export class DynamoClaims {
  readonly #context: DynamoContext;
  readonly #cache = new Map<string, StoredClaim>();

  constructor(context: DynamoContext) {
    this.#context = context;
  }

  async claim(claims: readonly ClaimRequest[]): Promise<ClaimResult[]> {
    const results = new Array<ClaimResult>(claims.length);
    const groups = new Map<string, number[]>();
    claims.forEach((claim, index) => {
      const pk = partitionKey('claim', claim.key);
      const group = groups.get(pk);
      if (group) group.push(index);
      else groups.set(pk, [index]);
    });
    await mapLimit([...groups], PARALLEL_REQUESTS, async ([pk, indexes]) => {
      const decided = await this.#claimKey(
        pk,
        indexes.map((index) => claims[index] as ClaimRequest),
      );
      indexes.forEach((index, i) => {
        results[index] = decided[i] as ClaimResult;
      });
    });
    return results;
  }

  async #claimKey(pk: string, group: readonly ClaimRequest[]): Promise<ClaimResult[]> {
    const results: ClaimResult[] = [];
    let known = this.#cache.get(pk);
    let fresh = false;
    for (let attempts = 0; results.length < group.length; attempts++) {
      if (attempts > 4 * group.length + 8) throw new Error(`claim ${pk}: too many conflicting writers`);
      const nowSeconds = Math.floor(this.#context.now() / 1000);
      const start = results.length;
      const first = group[start] as ClaimRequest;
      const folding = foldsInto(known, first, nowSeconds);
      const target: StoredClaim =
        folding && known
          ? known
          : {
              findingId: first.findingId,
              firedAt: first.at,
              until: first.at + first.cooldownMs,
              ids: new Set(),
              overflow: 0,
              ttl: ttlSeconds(first.at + first.cooldownMs, this.#context.retentionMs, this.#context.now()),
            };
      // The claims from `start` that fold into the target, with the count each would report.
      const seen = new Set(target.ids);
      const added: string[] = [];
      const counts: number[] = [];
      let end = start;
      while (end < group.length) {
        const claim = group[end] as ClaimRequest;
        if (end > start || folding) {
          if (!foldsInto(target, claim, nowSeconds)) break;
        }
        for (const id of claim.eventIds) {
          if (seen.has(id)) continue;
          seen.add(id);
          added.push(id);
        }
        counts.push(seen.size + target.overflow);
        end++;
      }
      let outcome: WriteOutcome;
      if (!folding) outcome = await this.#take(pk, first, target, added);
      else if (added.length === 0 && fresh) outcome = { ok: true, stored: target };
      else outcome = await this.#fold(pk, target, added, nowSeconds);
      known = outcome.stored;
      fresh = true;
      if (!outcome.ok) continue;
      const stored = outcome.stored;
      for (let i = start; i < end; i++) {
        if (i === start && !folding) results.push({ first: true });
        else {
          const count = i === end - 1 ? stored.ids.size + stored.overflow : (counts[i - start] as number);
          results.push({ first: false, findingId: target.findingId, firedAt: target.firedAt, count });
        }
      }
    }
    if (this.#cache.size >= MAX_CACHED_CLAIMS) this.#cache.clear();
    if (known) this.#cache.set(pk, known);
    else this.#cache.delete(pk);
    return results;
  }

  async #take(pk: string, claim: ClaimRequest, target: StoredClaim, ids: string[]): Promise<WriteOutcome> {
    const kept = ids.slice(0, MAX_STORED_EVENT_IDS);
    const stored: StoredClaim = { ...target, ids: new Set(kept), overflow: ids.length - kept.length };
    const values: Record<string, AttributeValue> = {
      ':fid': { S: target.findingId },
      ':at': { N: String(target.firedAt) },
      ':until': { N: String(target.until) },
      ':ttl': { N: String(target.ttl) },
      ':now': { N: String(Math.floor(this.#context.now() / 1000)) },
      ':atcd': { N: String(claim.at + claim.cooldownMs) },
    };
    const set = ['#fid = :fid', '#at = :at', '#until = :until', '#ttl = :ttl'];
    const remove: string[] = [];
    if (kept.length > 0) {
      set.push('#ids = :ids');
      values[':ids'] = { SS: kept };
    } else remove.push('#ids');
    if (stored.overflow > 0) {
      set.push('#ov = :ov');
      values[':ov'] = { N: String(stored.overflow) };
    } else remove.push('#ov');
    return this.#write(pk, stored, {
      UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ConditionExpression: 'attribute_not_exists(#pk) OR #ttl <= :now OR #until <= :at OR #at >= :atcd',
      ExpressionAttributeValues: values,
    });
  }

  async #fold(pk: string, target: StoredClaim, added: string[], nowSeconds: number): Promise<WriteOutcome> {
    const values: Record<string, AttributeValue> = {
      ':fid': { S: target.findingId },
      ':at': { N: String(target.firedAt) },
      ':now': { N: String(nowSeconds) },
    };
    const same = '#fid = :fid AND #at = :at AND #ttl > :now';
    if (added.length === 0) {
      // Nothing to add, but the cached state must be confirmed: the write doubles as a conditional read.
      return this.#write(pk, undefined, {
        UpdateExpression: 'SET #fid = :fid',
        ConditionExpression: same,
        ExpressionAttributeValues: values,
      });
    }
    if (target.ids.size + added.length <= MAX_STORED_EVENT_IDS) {
      values[':ids'] = { SS: added };
      values[':room'] = { N: String(MAX_STORED_EVENT_IDS - added.length) };
      return this.#write(pk, undefined, {
        UpdateExpression: 'ADD #ids :ids',
        ConditionExpression: `${same} AND (attribute_not_exists(#ids) OR size(#ids) <= :room)`,
        ExpressionAttributeValues: values,
      });
    }
    values[':n'] = { N: String(added.length) };
    return this.#write(pk, undefined, {
      UpdateExpression: 'ADD #ov :n',
      ConditionExpression: same,
      ExpressionAttributeValues: values,
    });
  }

  /** A conditional write; on success the state is `expected` (take) or the item returned (fold). */
  async #write(
    pk: string,
    expected: StoredClaim | undefined,
    update: Pick<
      UpdateItemCommandInput,
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues'
    >,
  ): Promise<WriteOutcome> {
    const { client, table, stats } = this.#context;
    const Key = { [PARTITION_KEY]: { S: pk }, [SORT_KEY]: { S: SINGLE_ITEM_SORT_KEY } };
    const names = Object.fromEntries(
      Object.entries(NAMES).filter(([name]) =>
        `${update.UpdateExpression} ${update.ConditionExpression}`.includes(name),
      ),
    );
    try {
      const output = await stats.track(
        'UpdateItem',
        'claims',
        client.send(
          new UpdateItemCommand({
            TableName: table,
            Key,
            ...update,
            ExpressionAttributeNames: names,
            ReturnValues: expected ? 'NONE' : 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      const stored = expected ?? parseClaim(output.Attributes);
      if (!stored) throw new Error(`claim ${pk}: the stored claim is unreadable`);
      return { ok: true, stored };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (error.Item) return { ok: false, stored: parseClaim(error.Item) };
      // A failed fold on a missing item returns nothing; a failed take always has an item to return.
      if (!expected) return { ok: false, stored: undefined };
      const read = await stats.track(
        'GetItem',
        'claims',
        client.send(new GetItemCommand({ TableName: table, Key, ConsistentRead: true })),
      );
      return { ok: false, stored: parseClaim(read.Item) };
    }
  }
}
