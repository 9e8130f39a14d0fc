import { spawnSync } from 'node:child_process';
import {
  type AttributeValue,
  DeleteTableCommand,
  type DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { detectors } from '../detectors/index.ts';
import { liveDeliveryState } from '../infra/live-delivery-state.ts';
import type { ResolvedConfig } from '../lib/config/resolved-config.ts';
import { DetectionEngine } from '../lib/engine/detection-engine.ts';
import type { NormalizedEvent } from '../lib/events/normalized-event.ts';
import { createStateTable } from '../lib/state/create-table.ts';
import { WINDOW_SORT_KEY } from '../lib/state/dynamodb-keys.ts';
import type { DynamoDbState } from '../lib/state/dynamodb-state.ts';
import type {
  ClaimKey,
  ClaimRequest,
  CounterEntry,
  MemoryEntry,
  StatePort,
} from '../lib/state/state-port.ts';
import { localClient, startDynamoDbLocal, waitForDynamoDb } from '../test/helpers/dynamodb-local.ts';

/** Requests and request units one delivery mode costs, per event judged. */
export interface DynamoDbRun {
  /** Events per engine batch: 1 is the EventBridge handler (one event per invocation), more the SQS one. */
  batchSize: number;
  events: number;
  batches: number;
  requests: number;
  requestsPerEvent: number;
  byOperation: Record<string, number>;
  byPart: Record<string, number>;
  /** Distinct counter entries (key and event id) the engine added: what a counted event costs is per these. */
  countedEntries: number;
  /** Counter requests (writes and reads of counters) per counted entry. */
  counterRequestsPerEntry: number;
  /** Read and write request units as DynamoDB bills them (see `measuringClient`), per event. */
  rruPerEvent: number;
  wruPerEvent: number;
  /** State-port calls that made requests: the sequential round trips a batch waits for, per batch. */
  roundTripsPerBatch: number;
  /** Per batch against DynamoDB Local: wall ms (mostly waiting) and CPU ms (what Lambda would compute). */
  wallMsPerBatch: number;
  cpuMsPerBatch: number;
}

/** Item sizes in the table after a run, by kind, in bytes as DynamoDB counts them (estimated). */
export interface ItemSizes {
  [kind: string]: { items: number; meanBytes: number; maxBytes: number };
}

export type DynamoDbResult =
  | { skipped: string }
  | { runs: DynamoDbRun[]; itemSizes: ItemSizes; events: number; offset: number };

const READS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand']);

interface Capacity {
  read: number;
  write: number;
}

type Input = {
  RequestItems?: Record<string, { Keys?: unknown[] } | unknown[]>;
  ReturnConsumedCapacity?: string;
};

/**
 * Asks every request for its consumed capacity and adds it up, never below what DynamoDB bills at least
 * (a strongly consistent read of a missing item is still 1 RRU; DynamoDB Local reports 0 for it): the
 * same accounting as infra/measure-state-cost.ts, so the two agree.
 */
function measure(client: DynamoDBClient, capacity: Capacity): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Input;
      input.ReturnConsumedCapacity = 'TOTAL';
      let floor = 1;
      if (input.RequestItems) {
        floor = 0;
        for (const entry of Object.values(input.RequestItems))
          floor += Array.isArray(entry) ? entry.length : (entry.Keys?.length ?? 0);
      }
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      let units = 0;
      const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as {
        CapacityUnits?: number;
      }[];
      for (const item of list) units += item.CapacityUnits ?? 0;
      units = Math.max(units, floor);
      if (READS.has(String(context.commandName))) capacity.read += units;
      else capacity.write += units;
      return result;
    },
    { step: 'initialize', name: 'benchConsumedCapacity' },
  );
}

/** The state port, counting the calls that made requests: each is one round trip the engine waits for. */
class RoundTrips implements StatePort {
  calls = 0;
  readonly counted = new Set<string>();
  readonly #inner: DynamoDbState;
  constructor(inner: DynamoDbState) {
    this.#inner = inner;
  }
  async #count<T>(call: () => Promise<T>): Promise<T> {
    const before = this.#inner.stats.total;
    const result = await call();
    if (this.#inner.stats.total > before) this.calls++;
    return result;
  }
  addEntries(entries: readonly CounterEntry[]) {
    return this.#count(() => this.#inner.addEntries(entries));
  }
  readEntries(keys: readonly string[], from: number, to: number) {
    return this.#count(() => this.#inner.readEntries(keys, from, to));
  }
  addAndRead(entries: readonly CounterEntry[], from: number, to: number) {
    for (const entry of entries) this.counted.add(`${entry.key}\n${entry.eventId}`);
    return this.#count(() => this.#inner.addAndRead(entries, from, to));
  }
  claim(claims: readonly ClaimRequest[]) {
    return this.#count(() => this.#inner.claim(claims));
  }
  confirm(claims: readonly ClaimKey[]) {
    return this.#count(() => this.#inner.confirm(claims));
  }
  remember(entries: readonly MemoryEntry[]) {
    return this.#count(() => this.#inner.remember(entries));
  }
  recall(keys: readonly string[]) {
    return this.#count(() => this.#inner.recall(keys));
  }
  prune(before: number) {
    return this.#inner.prune(before);
  }
}

/** DynamoDB's item size: attribute names plus values (numbers estimated at about half their digits). */
function attributeSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|^0+/g, '').length / 2) + 1;
  if (value.SS !== undefined) return value.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((n, s) => n + Math.ceil(s.length / 2) + 1, 0);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L !== undefined) return 3 + value.L.reduce((n, v) => n + 1 + attributeSize(v), 0);
  if (value.M !== undefined) return 3 + itemSize(value.M) + Object.keys(value.M).length;
  return 0;
}

function itemSize(item: Record<string, AttributeValue>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + attributeSize(value);
  return size;
}

const KIND: Record<string, string> = { c: 'counter bucket', f: 'claim', m: 'remembered value' };

async function itemSizes(client: DynamoDBClient, table: string): Promise<ItemSizes> {
  const sizes: ItemSizes = {};
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      const kind =
        item.sk?.S === WINDOW_SORT_KEY ? 'counter window' : (KIND[item.pk?.S?.[0] ?? ''] ?? 'other');
      const size = itemSize(item);
      const entry = sizes[kind] ?? { items: 0, meanBytes: 0, maxBytes: 0 };
      entry.meanBytes = (entry.meanBytes * entry.items + size) / (entry.items + 1);
      entry.items++;
      entry.maxBytes = Math.max(entry.maxBytes, size);
      sizes[kind] = entry;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return sizes;
}

async function run(
  client: DynamoDBClient,
  config: ResolvedConfig,
  events: readonly NormalizedEvent[],
  batchSize: number,
  keepSizes: boolean,
): Promise<{ run: DynamoDbRun; sizes?: ItemSizes }> {
  const capacity: Capacity = { read: 0, write: 0 };
  const table = `trailguard-bench-${batchSize}-${Date.now().toString(36)}`;
  await createStateTable(client, table, { maxWaitSeconds: 60 });
  measure(client, capacity);
  try {
    // Live delivery: the store's clock a few seconds past the newest event of each batch.
    const { state: inner, deliver } = liveDeliveryState(client, table, detectors, config, events);
    const state = new RoundTrips(inner);
    let wall = 0;
    let cpu = 0;
    let batches = 0;
    for (let i = 0; i < events.length; i += batchSize) {
      // As the handlers do it: a new engine per invocation, the state store shared (a warm container).
      const batch = events.slice(i, i + batchSize);
      const engine = new DetectionEngine({ detectors, config, state, now: deliver(batch) });
      const started = performance.now();
      const usage = process.cpuUsage();
      // The handlers confirm the findings' claims once the outbox has them; so does the bench.
      await engine.confirm(await engine.process(batch));
      const used = process.cpuUsage(usage);
      wall += performance.now() - started;
      cpu += (used.user + used.system) / 1000;
      batches++;
    }
    const { stats } = inner;
    const result: DynamoDbRun = {
      batchSize,
      events: events.length,
      batches,
      requests: stats.total,
      requestsPerEvent: stats.total / events.length,
      byOperation: Object.fromEntries(stats.byOperation),
      byPart: Object.fromEntries(stats.byPart),
      countedEntries: state.counted.size,
      counterRequestsPerEntry: (stats.byPart.get('counters') ?? 0) / Math.max(1, state.counted.size),
      rruPerEvent: capacity.read / events.length,
      wruPerEvent: capacity.write / events.length,
      roundTripsPerBatch: state.calls / batches,
      wallMsPerBatch: wall / batches,
      cpuMsPerBatch: cpu / batches,
    };
    return { run: result, sizes: keepSizes ? await itemSizes(client, table) : undefined };
  } finally {
    client.middlewareStack.remove('benchConsumedCapacity');
    await client.send(new DeleteTableCommand({ TableName: table }));
  }
}

/** True when `java -version` runs: DynamoDB Local needs it. */
export function javaAvailable(): boolean {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/**
 * Judges `events` against DynamoDB Local once per batch size, each on a fresh table, and reports requests,
 * request units, round trips and time per event. Starts and stops DynamoDB Local itself.
 */
export async function measureDynamoDb(
  config: ResolvedConfig,
  events: readonly NormalizedEvent[],
  batchSizes: readonly number[],
  offset: number,
): Promise<DynamoDbResult> {
  if (!javaAvailable()) return { skipped: 'java is not on PATH (DynamoDB Local needs it)' };
  const local = await startDynamoDbLocal();
  const client = localClient(local.endpoint);
  try {
    await waitForDynamoDb(local.endpoint);
    const runs: DynamoDbRun[] = [];
    let sizes: ItemSizes = {};
    for (const batchSize of batchSizes) {
      const measured = await run(client, config, events, batchSize, batchSize === 1);
      runs.push(measured.run);
      if (measured.sizes) sizes = measured.sizes;
    }
    return { runs, itemSizes: sizes, events: events.length, offset };
  } finally {
    client.destroy();
    await local.stop();
  }
}
