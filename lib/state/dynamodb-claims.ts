import {
  type AttributeValue,
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  CLAIM_NAMES,
  foldsInto,
  newWriteId,
  parseClaim,
  reraises,
  type StoredClaim,
} from './dynamodb-claim-item.ts';
import { type DynamoContext, PARALLEL_REQUESTS } from './dynamodb-context.ts';
import { partitionKey, SINGLE_ITEM_SORT_KEY, ttlSeconds } from './dynamodb-keys.ts';
import { mapLimit } from './map-limit.ts';
import type { ClaimKey, ClaimRequest, ClaimResult } from './state-port.ts';
import { PARTITION_KEY, SORT_KEY } from './table-definition.ts';

/**
 * Event ids a claim item keeps (about 20 KB of UUIDs). `count` is the number of distinct ids folded in
 * up to this many; past it, repeats are added to a plain number, so a redelivery can overcount.
 */
export const MAX_STORED_EVENT_IDS = 500;
const MAX_CACHED_CLAIMS = 10_000;

/** How the first claim of a run of claims on one key is decided against the stored claim. */
type Mode = 'take' | 'fold' | 'reraise';

type WriteOutcome = { ok: true; stored: StoredClaim } | { ok: false; stored: StoredClaim | undefined };

/**
 * Claims as one conditional item per finding key. The first claim is an UpdateItem whose condition is
 * "no live claim whose cooldown covers this time", so of two processes racing, exactly one takes it; the
 * loser's failed condition returns the winner's item, and the repeat is folded in (or, while the winner
 * has not confirmed, re-raised under the winner's id) with a second write conditioned on that same
 * finding still being there. Claims for one key in a batch are decided in order against the state the
 * previous one left, and written together: one request per key per batch when nothing races. A
 * per-process cache of the last state seen lets a later batch fold in one request too; every write is
 * conditional, so a stale cache only costs a retry.
 *
 * Ownership: a take stores the requester as owner with the `unc` marker; `confirm` removes the marker.
 * A write whose response was lost (a timeout after DynamoDB applied it) is retried by the SDK and then
 * fails its own condition: takes and re-raises store a random write id, and when the item returned
 * carries this write's id the write landed and counts as done — otherwise the finding would be folded
 * into itself and never raised.
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

  /** One UpdateItem per claim, removing the unconfirmed marker while the item still holds the finding. */
  async confirm(claims: readonly ClaimKey[]): Promise<void> {
    const { client, table, stats } = this.#context;
    const unique = new Map(claims.map((c) => [`${partitionKey('claim', c.key)}\u0000${c.findingId}`, c]));
    await mapLimit([...unique.values()], PARALLEL_REQUESTS, async ({ key, findingId }) => {
      const pk = partitionKey('claim', key);
      try {
        await stats.track(
          'UpdateItem',
          'claims',
          client.send(
            new UpdateItemCommand({
              TableName: table,
              Key: { [PARTITION_KEY]: { S: pk }, [SORT_KEY]: { S: SINGLE_ITEM_SORT_KEY } },
              UpdateExpression: 'REMOVE #unc',
              ConditionExpression: '#fid = :fid',
              ExpressionAttributeNames: { '#unc': CLAIM_NAMES['#unc'], '#fid': CLAIM_NAMES['#fid'] },
              ExpressionAttributeValues: { ':fid': { S: findingId } },
            }),
          ),
        );
      } catch (error) {
        // Replaced by a later finding or expired: nothing of this claim is left to confirm.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const cached = this.#cache.get(pk);
      if (cached?.findingId === findingId) this.#cache.set(pk, { ...cached, unconfirmed: false });
    });
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
      const mode: Mode =
        known === undefined || !foldsInto(known, first, nowSeconds)
          ? 'take'
          : reraises(known, first)
            ? 'reraise'
            : 'fold';
      const target: StoredClaim =
        mode !== 'take' && known
          ? known
          : {
              findingId: first.findingId,
              firedAt: first.at,
              until: first.at + first.cooldownMs,
              ids: new Set(),
              overflow: 0,
              ttl: ttlSeconds(first.at + first.cooldownMs, this.#context.retentionMs, this.#context.now()),
              owner: first.owner,
              unconfirmed: true,
              writeId: undefined,
            };
      // Who holds the claim once this write is done: the later claims of the run must fold into that.
      const after: StoredClaim = mode === 'reraise' ? { ...target, owner: first.owner } : target;
      // The claims from `start` that fold into the target, with the count each would report.
      const seen = new Set(target.ids);
      const added: string[] = [];
      const counts: number[] = [];
      let end = start;
      while (end < group.length) {
        const claim = group[end] as ClaimRequest;
        if (end > start || mode !== 'take') {
          if (!foldsInto(target, claim, nowSeconds)) break;
        }
        if (end > start && reraises(after, claim)) break;
        for (const id of claim.eventIds) {
          if (seen.has(id)) continue;
          seen.add(id);
          added.push(id);
        }
        counts.push(seen.size + target.overflow);
        end++;
      }
      let outcome: WriteOutcome;
      if (mode === 'take') outcome = await this.#take(pk, first, target, added);
      else if (mode === 'fold' && added.length === 0 && fresh) outcome = { ok: true, stored: target };
      else outcome = await this.#fold(pk, target, added, nowSeconds, first.owner, mode === 'reraise');
      known = outcome.stored;
      fresh = true;
      if (!outcome.ok) continue;
      const stored = outcome.stored;
      for (let i = start; i < end; i++) {
        if (i === start && mode === 'take') results.push({ first: true });
        else if (i === start && mode === 'reraise')
          results.push({ first: true, findingId: target.findingId });
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
    const writeId = newWriteId();
    const stored: StoredClaim = {
      ...target,
      ids: new Set(kept),
      overflow: ids.length - kept.length,
      writeId,
    };
    const values: Record<string, AttributeValue> = {
      ':w': { S: writeId },
      ':fid': { S: target.findingId },
      ':at': { N: String(target.firedAt) },
      ':until': { N: String(target.until) },
      ':ttl': { N: String(target.ttl) },
      ':own': { S: claim.owner },
      ':unc': { BOOL: true },
      ':now': { N: String(Math.floor(this.#context.now() / 1000)) },
      ':atcd': { N: String(claim.at + claim.cooldownMs) },
    };
    const set = [
      '#fid = :fid',
      '#at = :at',
      '#until = :until',
      '#ttl = :ttl',
      '#own = :own',
      '#unc = :unc',
      '#w = :w',
    ];
    const remove: string[] = [];
    if (kept.length > 0) {
      set.push('#ids = :ids');
      values[':ids'] = { SS: kept };
    } else remove.push('#ids');
    if (stored.overflow > 0) {
      set.push('#ov = :ov');
      values[':ov'] = { N: String(stored.overflow) };
    } else remove.push('#ov');
    return this.#write(
      pk,
      stored,
      {
        UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ConditionExpression: 'attribute_not_exists(#pk) OR #ttl <= :now OR #until <= :at OR #at >= :atcd',
        ExpressionAttributeValues: values,
      },
      (found) => found.writeId === writeId,
    );
  }

  /** Folds `added` into the target; a re-raise also takes the claim over from the owner seen. */
  async #fold(
    pk: string,
    target: StoredClaim,
    added: string[],
    nowSeconds: number,
    owner: string,
    reraise: boolean,
  ): Promise<WriteOutcome> {
    const values: Record<string, AttributeValue> = {
      ':fid': { S: target.findingId },
      ':at': { N: String(target.firedAt) },
      ':now': { N: String(nowSeconds) },
      ':own': { S: owner },
    };
    let same = '#fid = :fid AND #at = :at AND #ttl > :now';
    const set: string[] = [];
    const writeId = newWriteId();
    if (reraise) {
      // Only from the owner seen: of two processes re-raising at once, one takes over, the other re-decides.
      same += ' AND attribute_exists(#unc) AND #own = :prev';
      values[':prev'] = { S: target.owner as string };
      values[':w'] = { S: writeId };
      set.push('#own = :own', '#w = :w');
    } else {
      // Folding is right only while the claim is confirmed or ours: a stale cache must re-decide.
      same += ' AND (attribute_not_exists(#unc) OR #own = :own)';
    }
    const landed = reraise ? (found: StoredClaim) => found.writeId === writeId : undefined;
    const setClause = set.length > 0 ? `SET ${set.join(', ')} ` : '';
    if (added.length === 0) {
      // Nothing to add, but the cached state must be confirmed: the write doubles as a conditional read.
      return this.#write(
        pk,
        undefined,
        {
          UpdateExpression: `SET ${['#fid = :fid', ...set].join(', ')}`,
          ConditionExpression: same,
          ExpressionAttributeValues: values,
        },
        landed,
      );
    }
    if (target.ids.size + added.length <= MAX_STORED_EVENT_IDS) {
      values[':ids'] = { SS: added };
      values[':room'] = { N: String(MAX_STORED_EVENT_IDS - added.length) };
      return this.#write(
        pk,
        undefined,
        {
          UpdateExpression: `${setClause}ADD #ids :ids`,
          ConditionExpression: `${same} AND (attribute_not_exists(#ids) OR size(#ids) <= :room)`,
          ExpressionAttributeValues: values,
        },
        landed,
      );
    }
    values[':n'] = { N: String(added.length) };
    return this.#write(
      pk,
      undefined,
      {
        UpdateExpression: `${setClause}ADD #ov :n`,
        ConditionExpression: same,
        ExpressionAttributeValues: values,
      },
      landed,
    );
  }

  /**
   * A conditional write; on success the state is `expected` (take) or the item returned (fold). When the
   * condition fails on an item `landed` recognises as this very write, an earlier attempt was applied.
   */
  async #write(
    pk: string,
    expected: StoredClaim | undefined,
    update: Pick<
      UpdateItemCommandInput,
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues'
    >,
    landed?: (found: StoredClaim) => boolean,
  ): Promise<WriteOutcome> {
    const { client, table, stats } = this.#context;
    const Key = { [PARTITION_KEY]: { S: pk }, [SORT_KEY]: { S: SINGLE_ITEM_SORT_KEY } };
    const names = Object.fromEntries(
      Object.entries(CLAIM_NAMES).filter(([name]) =>
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
      let found = parseClaim(error.Item);
      if (!error.Item && expected) {
        // A failed fold on a missing item returns nothing; a failed take always has an item to return.
        const read = await stats.track(
          'GetItem',
          'claims',
          client.send(new GetItemCommand({ TableName: table, Key, ConsistentRead: true })),
        );
        found = parseClaim(read.Item);
      }
      if (found && landed?.(found)) return { ok: true, stored: found };
      return { ok: false, stored: found };
    }
  }
}
