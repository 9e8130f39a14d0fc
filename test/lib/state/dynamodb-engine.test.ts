import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import * as z from 'zod';
import { detectors } from '../../../detectors/index.ts';
import { resolveConfig } from '../../../lib/config/resolved-config.ts';
import { buildConfigSchema } from '../../../lib/config/schema.ts';
import { DetectionEngine } from '../../../lib/engine/detection-engine.ts';
import { type Detector, defineDetector } from '../../../lib/engine/detector.ts';
import type { Finding } from '../../../lib/engine/finding.ts';
import { replay } from '../../../lib/engine/replay.ts';
import { readCloudTrail } from '../../../lib/ingest/read-cloudtrail.ts';
import { DynamoDbState } from '../../../lib/state/dynamodb-state.ts';
import { MemoryState } from '../../../lib/state/memory-state.ts';
import type { CounterEntry, StatePort } from '../../../lib/state/state-port.ts';
import { REPO_ROOT } from '../../helpers/run-cli.ts';
import { createTestTable, dynamoDbClients } from '../../helpers/shared-dynamodb.ts';
import { syntheticTrail } from './synthetic-trail.ts';

const MINUTE = 60_000;
const NOW = Date.parse('2026-11-26T00:00:00Z');
const EXAMPLE_TRAIL = join(REPO_ROOT, 'examples/AWSLogs');

/**
 * Test-only stateful detectors, so counters, claims and remembered values are exercised through the
 * engine whatever the shipped detectors do this week: a denial burst per principal, and runner keys
 * used from another address than the exchange.
 */
const denialBurst = defineDetector({
  kind: 'stateful',
  id: 'test-state-burst',
  title: 'Denial burst',
  description: 'at least 15 denials by one principal within 5 minutes',
  severity: 'medium',
  runbook: '1. Look.',
  needs: [{ source: '*', readOnly: true }],
  params: z.object({}),
  lookback: () => 5 * MINUTE,
  observe: (event) =>
    event.outcome === 'denied'
      ? { count: [{ key: event.actor.key, facets: { action: event.action } }] }
      : undefined,
  judge(event, state) {
    const entries = state.entries(event.actor.key);
    if (entries.length < 15) return undefined;
    return {
      severity: 'medium',
      summary: `${entries.length} denials, first ${entries[0]?.facets?.action}`,
      principal: event.actor.key,
      key: event.actor.key,
      cooldownMs: 10 * MINUTE,
      count: entries.length,
      eventIds: entries.slice(0, 20).map((e) => e.eventId),
    };
  },
});

const keyHandoff = defineDetector({
  kind: 'stateful',
  id: 'test-state-handoff',
  title: 'Runner key used elsewhere',
  description: 'a web-identity key used from another address than the exchange',
  severity: 'high',
  runbook: '1. Look.',
  needs: [{ source: '*', readOnly: true }],
  params: z.object({}),
  lookback: () => 0,
  // As oidc-session-exfiltration does: fetched with lineage's lookup, not in a round trip after it.
  prefetch: (event) =>
    event.credential.accessKeyId?.startsWith('ASIA') ? event.credential.accessKeyId : undefined,
  observe(event) {
    const issued = event.oidc?.issuedAccessKeyId;
    if (issued) return { remember: [{ key: issued, value: event.sourceIp ?? '', ttlMs: 3_600_000 }] };
    const key = event.credential.accessKeyId;
    return key?.startsWith('ASIA') ? { recall: [key] } : undefined;
  },
  judge(event, state) {
    const key = event.credential.accessKeyId;
    const exchangedFrom = key === undefined ? undefined : state.recalled(key);
    if (exchangedFrom === undefined || exchangedFrom === event.sourceIp) return undefined;
    return {
      severity: 'high',
      summary: `${key} from ${event.sourceIp}, exchanged from ${exchangedFrom}`,
      principal: event.actor.key,
      key,
      cooldownMs: 60 * MINUTE,
    };
  },
});

const ALL = [...detectors, denialBurst, keyHandoff] as Detector[];

let config: ReturnType<typeof resolveConfig>;
let dir: string;
const client = dynamoDbClients();

async function writeTrail(name: string, records: unknown[]): Promise<string> {
  const folder = join(dir, name);
  await mkdir(folder, { recursive: true });
  await writeFile(
    join(folder, '111122223333_CloudTrail_us-east-1_20261120T0900Z_synthetic.json'),
    JSON.stringify({ Records: records }),
  );
  return folder;
}

interface Run {
  findings: Finding[];
  events: number;
  /** Claims the engine made: findings raised or suppressed, and repeats folded. */
  claims: number;
  /** Claims confirmed at the end: findings raised or suppressed (one write each). */
  confirmed: number;
}

const sum = (counts: Iterable<number>) => [...counts].reduce((a, b) => a + b, 0);

async function run(path: string, state: StatePort, batchSize: number): Promise<Run> {
  const engine = new DetectionEngine({ detectors: ALL, config, now: NOW, state });
  const findings: Finding[] = [];
  const stats = await replay(readCloudTrail([path]), engine, {
    batchSize,
    onFindings: (found) => {
      findings.push(...found);
    },
  });
  expect(engine.failures).toEqual(new Map());
  // As `trailguard detect` does once the findings are written out.
  await engine.confirm(findings);
  const suppressed = sum(engine.suppressions.hits.values());
  const claims = findings.length + sum(engine.folded.values()) + suppressed;
  return { findings, events: stats.eventsJudged, claims, confirmed: findings.length + suppressed };
}

async function dynamoStore(table?: string): Promise<DynamoDbState> {
  const c = client();
  return new DynamoDbState({ client: c, table: table ?? (await createTestTable(c, 'engine')) });
}

/** Every counter entry in a table: the exact state, for comparing runs. */
async function counterMembers(table: string): Promise<string[]> {
  const members: string[] = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await client().send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    for (const item of page.Items ?? []) if (item.pk?.S?.startsWith('c')) members.push(...(item.e?.SS ?? []));
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  return members.sort();
}

const byDetectorAndPrincipal = (findings: readonly Finding[]) =>
  findings.map((f) => `${f.detector} ${f.principal}`).sort();

beforeAll(async () => {
  const yaml: unknown = parse(await readFile(join(REPO_ROOT, 'examples/trailguard.yaml'), 'utf8'));
  config = resolveConfig(buildConfigSchema(ALL).parse(yaml), 'examples/trailguard.yaml');
  dir = await mkdtemp(join(tmpdir(), 'trailguard-dynamodb-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the engine on DynamoDB state', () => {
  it('raises the same findings from the example trail as the in-memory store, in batches and one by one', async () => {
    const memory = await run(EXAMPLE_TRAIL, new MemoryState(), 500);
    expect(memory.findings.length).toBeGreaterThan(0);
    expect((await run(EXAMPLE_TRAIL, await dynamoStore(), 500)).findings).toEqual(memory.findings);
    expect((await run(EXAMPLE_TRAIL, await dynamoStore(), 1)).findings).toEqual(memory.findings);
  });

  it('on a state-heavy trail: the same findings as memory, none on a replay, counters unchanged', async () => {
    const path = await writeTrail('all', syntheticTrail());
    const memory = await run(path, new MemoryState(), 500);
    const fired = byDetectorAndPrincipal(memory.findings);
    // The run is only evidence if state was used: both test detectors fire (5 bursts, 2 stolen keys).
    expect(fired.filter((f) => f.startsWith('test-state-burst'))).toHaveLength(5);
    expect(fired.filter((f) => f.startsWith('test-state-handoff'))).toHaveLength(2);

    // In the CLI's batches of 500, what is left is about one write per (key, minute) with entries.
    const store = await dynamoStore();
    const first = await run(path, store, 500);
    expect(first.findings).toEqual(memory.findings);
    // Confirms cost one write per finding (not per event): this trail is dense with findings, so they are
    // held apart from the per-event target.
    expect((store.stats.total - first.confirmed) / first.events).toBeLessThanOrEqual(0.2);

    const counters = await counterMembers(store.table);
    expect(counters.length).toBeGreaterThan(400);
    const again = await run(path, await dynamoStore(store.table), 100);
    expect(again.findings).toEqual([]);
    expect(await counterMembers(store.table)).toEqual(counters);
  });

  it('two engines replaying the two halves at once: exact counters, and no finding raised twice', async () => {
    const records = syntheticTrail();
    const whole = await writeTrail('whole', records);
    const halves = await Promise.all([
      writeTrail(
        'even',
        records.filter((_, i) => i % 2 === 0),
      ),
      writeTrail(
        'odd',
        records.filter((_, i) => i % 2 === 1),
      ),
    ]);
    const memory = await run(whole, new MemoryState(), 100);
    const single = await dynamoStore();
    await run(whole, single, 100);

    const shared = await dynamoStore();
    const runs = await Promise.all(
      halves.map(async (half) => run(half, await dynamoStore(shared.table), 25)),
    );
    // While one engine has not confirmed a finding, the other raises it again under the same id (the
    // outbox sends each id once): one id per finding, never a second finding for the same thing.
    const findings = [...new Map(runs.flatMap((r) => r.findings).map((f) => [f.id, f])).values()];
    expect(byDetectorAndPrincipal(findings)).toEqual(byDetectorAndPrincipal(memory.findings));
    expect(await counterMembers(shared.table)).toEqual(await counterMembers(single.table));
  });

  it('replaying one event at a time: one write and one read per counted entry, one write per claim', async () => {
    const records = syntheticTrail().slice(0, 160);
    const path = await writeTrail('one-by-one', records);
    const memory = await run(path, new MemoryState(), 1);
    const store = await dynamoStore();
    const result = await run(path, store, 1);
    expect(result.findings).toEqual(memory.findings);
    const counted = (await counterMembers(store.table)).length;
    expect(counted).toBeGreaterThan(50);
    expect(store.stats.byPart.get('counters')).toBe(2 * counted);
    expect(store.stats.byPart.get('claims')).toBe(result.claims + result.confirmed);
    // One recall per event (detectors' recalls ride along with lineage's lookup); an assumption's lineage
    // lookup (its issued key's link, and whether calls wait for it) may add one more.
    const assumptions = records.filter((r) => String(r.eventName).startsWith('AssumeRole')).length;
    expect(assumptions).toBeGreaterThan(0);
    expect(store.stats.byPart.get('memory')).toBeLessThanOrEqual(result.events + assumptions);
  });

  it('live, one event at a time: the same findings as memory, in at most one request per counted entry', async () => {
    // As EventBridge delivers: each event alone, its store's clock a few seconds past the event.
    const path = await writeTrail('live', syntheticTrail().slice(0, 400));
    const memory = await run(path, new MemoryState(), 1);
    const c = client();
    const clock = { now: 0 };
    const store = new DynamoDbState({
      client: c,
      table: await createTestTable(c, 'live'),
      now: () => clock.now,
      reachMs: 65 * MINUTE,
      // The trail is from last week; DynamoDB Local deletes items whose TTL (from the clock) has passed.
      retentionMs: 30 * 86_400_000,
    });
    const counted = new Set<string>();
    const live: StatePort = {
      addAndRead(entries: readonly CounterEntry[], from: number, to: number) {
        for (const e of entries) counted.add(`${e.key}|${e.eventId}`);
        clock.now = Math.max(clock.now, ...entries.map((e) => e.time + 20_000));
        return store.addAndRead(entries, from, to);
      },
      addEntries: (entries) => store.addEntries(entries),
      readEntries: (keys, from, to) => store.readEntries(keys, from, to),
      claim: (claims) => store.claim(claims),
      confirm: (claims) => store.confirm(claims),
      remember: (entries) => store.remember(entries),
      recall: (keys) => store.recall(keys),
      prune: (before) => store.prune(before),
    };
    const result = await run(path, live, 1);
    expect(result.findings).toEqual(memory.findings);
    expect(counted.size).toBeGreaterThan(150);
    // Every enumerating principal here bursts past the window cap, and a hot key costs a bucket write and
    // a Query; everything else is one UpdateItem. (On the bench's realistic trail: 1.00 per entry.)
    expect(store.stats.byPart.get('counters')).toBeLessThanOrEqual(1.2 * counted.size);
    expect(store.stats.byOperation.get('Query') ?? 0).toBeLessThan(counted.size / 4);
  }, 120_000);
});
