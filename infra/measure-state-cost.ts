/**
 * What a trail costs in DynamoDB under trailguard's two deliveries, to size `trailguard:delivery` and check
 * docs/COST.md against your own events:
 *
 *   npx tsx infra/measure-state-cost.ts --config trailguard.yaml --batch 40 --batch 500 PATH...
 *
 * Each run judges the trail once per delivery on a fresh table (region, credentials and
 * AWS_ENDPOINT_URL_DYNAMODB from the standard chain; DynamoDB Local works): `single` as the EventBridge
 * handler does it (one engine per event, state shared as in a warm container), then each `--batch N` as
 * the SQS handler does it (one engine per N events). It prints requests and consumed read/write capacity
 * units per event (every request asks for ReturnConsumedCapacity; conditional writes that fail count, as
 * DynamoDB bills them).
 */
import { parseArgs } from 'node:util';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { detectors } from '../detectors/index.ts';
import { loadConfig } from '../lib/config/load-config.ts';
import { DetectionEngine } from '../lib/engine/detection-engine.ts';
import { normalizeRecord } from '../lib/events/normalize.ts';
import type { NormalizedEvent } from '../lib/events/normalized-event.ts';
import { readCloudTrail } from '../lib/ingest/read-cloudtrail.ts';
import { createStateTable } from '../lib/state/create-table.ts';
import { liveDeliveryState } from './live-delivery-state.ts';

interface Capacity {
  read: number;
  write: number;
}

const READS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand']);

type Input = {
  RequestItems?: Record<string, { Keys?: unknown[] } | unknown[]>;
  TransactItems?: unknown[];
  ReturnConsumedCapacity?: string;
};

/**
 * The least DynamoDB bills a request, whatever a local emulator reports: every item read strongly
 * consistently costs at least one read unit even when it does not exist, every item written at least one
 * write unit, a transaction twice that; a Query at least one read unit.
 */
function billingFloor(input: Input): number {
  if (input.TransactItems) return 2 * input.TransactItems.length;
  if (input.RequestItems) {
    let items = 0;
    for (const entry of Object.values(input.RequestItems))
      items += Array.isArray(entry) ? entry.length : (entry.Keys?.length ?? 0);
    return items;
  }
  return 1;
}

/** A client that asks every request for its consumed capacity and adds it up, reads and writes apart. */
function measuringClient(capacity: Capacity): DynamoDBClient {
  const client = new DynamoDBClient({});
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Input;
      input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = (
        result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }
      ).ConsumedCapacity;
      let units = 0;
      for (const item of Array.isArray(consumed) ? consumed : consumed ? [consumed] : [])
        units += item.CapacityUnits ?? 0;
      units = Math.max(units, billingFloor(input));
      if (READS.has(String(context.commandName))) capacity.read += units;
      else capacity.write += units;
      return result;
    },
    { step: 'initialize', name: 'consumedCapacity' },
  );
  return client;
}

async function readEvents(paths: string[]): Promise<NormalizedEvent[]> {
  const events: NormalizedEvent[] = [];
  for await (const item of readCloudTrail(paths, { stdin: process.stdin })) {
    if (item.kind !== 'record') continue;
    const normalized = normalizeRecord(item.record);
    if (normalized.ok) events.push(normalized.event);
  }
  return events.sort((a, b) => a.time - b.time);
}

async function measure(label: string, events: NormalizedEvent[], batchSize: number, configFile?: string) {
  const config = await loadConfig(configFile);
  const capacity: Capacity = { read: 0, write: 0 };
  const client = measuringClient(capacity);
  const table = `trailguard-cost-${label}-${Date.now().toString(36)}`;
  await createStateTable(client, table, { maxWaitSeconds: 60 });
  try {
    // Live delivery, as the handlers see it: live events cost one counter request.
    const { state, deliver } = liveDeliveryState(client, table, detectors, config, events);
    for (let i = 0; i < events.length; i += batchSize) {
      const batch = events.slice(i, i + batchSize);
      const engine = new DetectionEngine({ detectors, config, state, now: deliver(batch) });
      // As the handlers do once the outbox has the findings.
      await engine.confirm(await engine.process(batch));
    }
    const perEvent = (n: number) => (n / events.length).toFixed(4);
    const parts = [...state.stats.byPart].map(([part, n]) => `${part} ${n}`).join(', ');
    process.stdout.write(
      `${label.padEnd(10)} ${String(state.stats.total).padStart(7)} requests  ${perEvent(state.stats.total)}/event  ` +
        `RRU ${perEvent(capacity.read)}/event  WRU ${perEvent(capacity.write)}/event  (${parts})\n`,
    );
  } finally {
    await client.send(new DeleteTableCommand({ TableName: table }));
    client.destroy();
  }
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { config: { type: 'string' }, batch: { type: 'string', multiple: true } },
});
const events = await readEvents(positionals);
process.stdout.write(`${events.length} events\n`);
await measure('single', events, 1, values.config);
for (const size of values.batch ?? ['500'])
  await measure(`batch-${size}`, events, Number(size), values.config);
