import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoClaims } from './dynamodb-claims.ts';
import type { DynamoContext } from './dynamodb-context.ts';
import { DynamoCounters } from './dynamodb-counters.ts';
import { DEFAULT_RETENTION_MS } from './dynamodb-keys.ts';
import { DynamoMemory } from './dynamodb-memory.ts';
import { LIVE_HORIZON_MS } from './dynamodb-window.ts';
import { RequestStats } from './request-stats.ts';
import type {
  ClaimKey,
  ClaimRequest,
  ClaimResult,
  CounterEntry,
  MemoryEntry,
  StatePort,
} from './state-port.ts';

export interface DynamoDbStateOptions {
  /** A client from the standard chain (region, credentials, `AWS_ENDPOINT_URL_DYNAMODB`); tests point it at DynamoDB Local. */
  client: DynamoDBClient;
  /** A table made from `tableDefinition` (lib/state/table-definition.ts). */
  table: string;
  /**
   * How long an item is kept (TTL) past the event time it is needed until: a counter bucket's end, a
   * claim's cooldown end, a remembered value's expiry. Must cover the longest detector lookback plus the
   * engine's lateness; default 2 days.
   */
  retentionMs?: number;
  /**
   * How far behind the wall clock a read may reach: the longest detector lookback plus the engine's
   * lateness (`stateReach`). Live window items keep entries this long (at least `LIVE_HORIZON_MS`);
   * default `LIVE_HORIZON_MS`.
   */
  reachMs?: number;
  /** Wall clock (epoch ms); pinned in tests. TTLs are never set below `now + retentionMs`. */
  now?: () => number;
}

/**
 * The state port on one DynamoDB table, for Lambda and for `trailguard detect --state dynamodb:TABLE`.
 * Items (partition key `pk`, sort key `sk`, TTL `ttl` in epoch seconds):
 *
 * - counters: `c#<key>` / `~w`, the live window item (one string set of encoded entries per minute
 *   attribute `m<minute base36>`, and `h`, the hot mark), and `c#<key>` / `<minute base36>#<shard>`,
 *   bucket items (a string set `e` of encoded entries and `b`, the bytes added) for older events and hot
 *   keys (see DynamoCounters);
 * - claims: `f#<key>` / `-`, with the finding id, firing time, cooldown end, folded event ids, the owner
 *   and, until confirmed, the `unc` marker (see DynamoClaims);
 * - remembered values: `m#<key>` / `-` (see DynamoMemory).
 *
 * Keys longer than 512 bytes are stored by their SHA-256. TTL deletes what nothing reads any more, so
 * `prune` does nothing; reads ignore items past their TTL, since DynamoDB deletes them days late. Every
 * request is counted in `stats`.
 */
export class DynamoDbState implements StatePort {
  readonly stats = new RequestStats();
  readonly table: string;
  readonly #counters: DynamoCounters;
  readonly #claims: DynamoClaims;
  readonly #memory: DynamoMemory;

  constructor(options: DynamoDbStateOptions) {
    this.table = options.table;
    const context: DynamoContext = {
      client: options.client,
      table: options.table,
      stats: this.stats,
      now: options.now ?? Date.now,
      retentionMs: options.retentionMs ?? DEFAULT_RETENTION_MS,
      reachMs: options.reachMs ?? LIVE_HORIZON_MS,
    };
    this.#counters = new DynamoCounters(context);
    this.#claims = new DynamoClaims(context);
    this.#memory = new DynamoMemory(context);
  }

  async addEntries(entries: readonly CounterEntry[]): Promise<void> {
    await this.#counters.add(entries);
  }

  addAndRead(
    entries: readonly CounterEntry[],
    from: number,
    to: number,
  ): Promise<Map<string, CounterEntry[]>> {
    return this.#counters.addAndRead(entries, from, to);
  }

  readEntries(keys: readonly string[], from: number, to: number): Promise<Map<string, CounterEntry[]>> {
    return this.#counters.read(keys, from, to);
  }

  claim(claims: readonly ClaimRequest[]): Promise<ClaimResult[]> {
    return this.#claims.claim(claims);
  }

  confirm(claims: readonly ClaimKey[]): Promise<void> {
    return this.#claims.confirm(claims);
  }

  remember(entries: readonly MemoryEntry[]): Promise<void> {
    return this.#memory.remember(entries);
  }

  recall(keys: readonly string[]): Promise<Map<string, MemoryEntry>> {
    return this.#memory.recall(keys);
  }

  /** Nothing to do: every item carries a TTL, and DynamoDB deletes expired items for free. */
  async prune(_before: number): Promise<void> {}
}
