import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectors } from '../../detectors/index.ts';
import { parseConfigText } from '../../lib/config/load-config.ts';
import { DetectionEngine } from '../../lib/engine/detection-engine.ts';
import type { Finding } from '../../lib/engine/finding.ts';
import { replay } from '../../lib/engine/replay.ts';
import { readCloudTrail } from '../../lib/ingest/read-cloudtrail.ts';
import { createDynamoDbClient, DYNAMODB_REQUEST_TIMEOUT_MS } from '../../lib/state/dynamodb-client.ts';
import { DynamoDbState } from '../../lib/state/dynamodb-state.ts';
import { MemoryState } from '../../lib/state/memory-state.ts';
import type { StatePort } from '../../lib/state/state-port.ts';
import { LOCAL_AWS_ENV, localClient } from '../helpers/dynamodb-local.ts';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.ts';
import { sharedDynamoDb, TestTables } from '../helpers/shared-dynamodb.ts';
import { SYNTHETIC_CONFIG, syntheticTrail } from '../helpers/synthetic-trail.ts';
import { writeS3Trail } from '../helpers/write-s3-trail.ts';
import { claimItems, counterMembers, reportFigures } from './fault-tables.ts';

/**
 * DynamoDB throttling, 500s, connection resets and timeouts during a replay, injected by a proxy in
 * front of DynamoDB Local: the SDK's retries (with trailguard's attempts and timeouts) must absorb them,
 * and the outcome must be exactly that of a run without faults.
 */

const NOW = Date.parse('2026-11-26T00:00:00Z');
/** Shorter than the shipped 5 s, only so the test does not wait 5 s per hung request. */
const TEST_REQUEST_TIMEOUT_MS = 800;

let endpoint: string;
let admin: DynamoDBClient;
let dir: string;
let paths: string[];
const tables = new TestTables(() => admin);
const config = parseConfigText(SYNTHETIC_CONFIG, 'synthetic.yaml');

beforeAll(async () => {
  endpoint = await sharedDynamoDb();
  admin = localClient(endpoint);
  dir = await mkdtemp(join(tmpdir(), 'tg-faults-'));
  // Three hours of a synthetic organization with one attack per detector (about 950 records).
  paths = await writeS3Trail(syntheticTrail({ seed: 11, hours: 3, attacks: true }), dir);
});
afterAll(async () => {
  await tables.deleteAll();
  admin.destroy();
  await rm(dir, { recursive: true, force: true });
});

async function detect(state: StatePort, batchSize: number): Promise<Finding[]> {
  const engine = new DetectionEngine({ detectors, config, now: NOW, state });
  const findings: Finding[] = [];
  await replay(readCloudTrail(paths), engine, { batchSize, onFindings: (f) => void findings.push(...f) });
  await engine.confirm(findings);
  expect(engine.failures).toEqual(new Map());
  return findings;
}

/** The client trailguard builds (attempts, timeouts), pointed at the proxy. */
function proxiedClient(proxy: FaultProxy, requestTimeout = TEST_REQUEST_TIMEOUT_MS): DynamoDBClient {
  return createDynamoDbClient(
    {
      endpoint: proxy.url,
      region: LOCAL_AWS_ENV.AWS_REGION,
      credentials: {
        accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID,
        secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY,
      },
      requestHandler: { requestTimeout, connectionTimeout: 2_000, throwOnRequestTimeout: true },
    },
    {},
  );
}

describe('DynamoDB faults during a replay', () => {
  it('30% throttling, 500s, resets and lost responses: the same findings and counters as without faults', async () => {
    const memory = await detect(new MemoryState(), 250);
    expect(memory.length).toBeGreaterThanOrEqual(8);

    const cleanTable = await tables.create('faults-clean');
    const clean = new DynamoDbState({ client: admin, table: cleanTable });
    expect(await detect(clean, 250)).toEqual(memory);

    const proxy = await startFaultProxy({
      target: endpoint,
      seed: 2026,
      rules: [
        { kind: 'throttle', rate: 0.15 },
        { kind: 'provisioned', rate: 0.15 / 0.85 },
        { kind: 'server-error', rate: 0.03 },
        { kind: 'reset', rate: 0.02 },
        // Applied by DynamoDB, answer lost: the retry meets its own conditional write.
        { kind: 'reset-after', rate: 0.03 },
        { kind: 'timeout', rate: 0.02, delayMs: TEST_REQUEST_TIMEOUT_MS + 700 },
      ],
    });
    const client = proxiedClient(proxy);
    try {
      const faultyTable = await tables.create('faults-throttled');
      const faulty = new DynamoDbState({ client, table: faultyTable });
      const findings = await detect(faulty, 250);
      expect(findings).toEqual(memory);
      expect(await counterMembers(admin, faultyTable)).toEqual(await counterMembers(admin, cleanTable));
      expect(await claimItems(admin, faultyTable)).toEqual(await claimItems(admin, cleanTable));
      expect(faulty.stats.retries).toBeGreaterThan(0);
      const injected = Object.fromEntries(proxy.injected);
      for (const kind of ['throttle', 'provisioned', 'server-error', 'reset', 'reset-after', 'timeout']) {
        expect(injected[kind], kind).toBeGreaterThan(0);
      }
      const requests = [...proxy.requests.values()].reduce((a, b) => a + b, 0);
      reportFigures('dynamodb-throttling-replay', {
        records: 'synthetic 3h seed 11',
        findings: findings.length,
        requests,
        injected,
        injectedTotal: proxy.totalInjected(),
        throttledShare: ((injected.throttle ?? 0) + (injected.provisioned ?? 0)) / requests,
        retriedBySdk: faulty.stats.retries,
        findingsLost: memory.filter((m) => !findings.some((f) => f.id === m.id)).length,
        duplicates: findings.length - new Set(findings.map((f) => f.id)).size,
      });
    } finally {
      client.destroy();
      await proxy.close();
    }
  }, 120_000);

  it('a claim whose answer was lost is still raised, not folded into itself by the retry', async () => {
    const proxy = await startFaultProxy({
      target: endpoint,
      seed: 3,
      // The first write of each claim reaches DynamoDB, then the connection drops before the answer.
      rules: [{ kind: 'reset-after', match: (r) => r.attempt === 1 && r.body.includes('"f#') }],
    });
    const client = proxiedClient(proxy);
    try {
      const store = new DynamoDbState({ client, table: await tables.create('faults-lost-answer') });
      const claim = (key: string, owner: string, findingId: string) => ({
        owner,
        key,
        at: NOW,
        cooldownMs: 600_000,
        findingId,
        eventIds: [`${findingId}-event`],
      });
      // A take, then a re-raise by another owner: both land, both answers are lost, both are retried.
      expect(await store.claim([claim('k', 'first', 'F1')])).toEqual([{ first: true }]);
      expect(await store.claim([claim('k', 'second', 'F2')])).toEqual([{ first: true, findingId: 'F1' }]);
      expect(await store.claim([claim('k', 'second', 'F3')])).toMatchObject([{ first: false, count: 3 }]);
      expect(proxy.injected.get('reset-after')).toBe(3);
      expect(store.stats.retries).toBe(3);
    } finally {
      client.destroy();
      await proxy.close();
    }
  });

  it('a request hung past the shipped 5 s timeout is abandoned and retried, not waited on', async () => {
    const proxy = await startFaultProxy({
      target: endpoint,
      seed: 1,
      rules: [{ kind: 'timeout', limit: 1, delayMs: 60_000 }],
    });
    const client = proxiedClient(proxy, DYNAMODB_REQUEST_TIMEOUT_MS);
    try {
      const store = new DynamoDbState({ client, table: await tables.create('faults-hung') });
      const started = Date.now();
      await store.addEntries([{ key: 'k', time: NOW, eventId: 'e1' }]);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(DYNAMODB_REQUEST_TIMEOUT_MS - 100);
      expect(elapsed).toBeLessThan(DYNAMODB_REQUEST_TIMEOUT_MS + 4_000);
      expect(store.stats.retries).toBe(1);
      expect((await store.readEntries(['k'], NOW, NOW)).get('k')).toHaveLength(1);
      reportFigures('dynamodb-hung-request', { timeoutMs: DYNAMODB_REQUEST_TIMEOUT_MS, elapsedMs: elapsed });
    } finally {
      client.destroy();
      await proxy.close();
    }
  }, 30_000);
});
