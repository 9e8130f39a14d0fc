import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler as sqsBatchHandler } from '../../handlers/sqs-batch.ts';
import { localClient } from '../helpers/dynamodb-local.ts';
import { allLineageRecords, LINEAGE_CONFIG_URL, writeLineageTrail } from '../helpers/lineage-trail.ts';
import { runCli } from '../helpers/run-cli.ts';
import { createTestTable, deleteTestTable, sharedDynamoDb } from '../helpers/shared-dynamodb.ts';
import type { CloudTrailRecord } from '../helpers/trail-records.ts';
import { toEventBridgeEvent } from '../lib/eventbridge/envelope.ts';
import { jsonConfig, LogCapture, sqsBatch, testRuntime } from './harness.ts';

/**
 * Lineage live and in replay give the same findings: the lineage trail (a service pipeline writing IAM
 * through CDK's deploy role and through CloudFormation's exec role, a borrowed pipeline role, the platform
 * pipeline doing the same quietly) delivered to the SQS handler as EventBridge would (out of order by up to
 * minutes, across batches and two concurrent function instances) on DynamoDB Local, against `trailguard
 * detect` over the same trail's S3 log files.
 */

const context = { awsRequestId: 'req-lineage', functionName: 'trailguard-detect' } as Context;
const MINUTE = 60_000;

let dynamodb: DynamoDBClient;
let table: string;
let trailDir: string;

beforeAll(async () => {
  dynamodb = localClient(await sharedDynamoDb());
  table = await createTestTable(dynamodb, 'lineage');
  trailDir = mkdtempSync(join(tmpdir(), 'trailguard-lineage-'));
});

afterAll(async () => {
  await deleteTestTable(dynamodb, table);
  dynamodb.destroy();
  rmSync(trailDir, { recursive: true, force: true });
});

/** A deterministic generator (mulberry32), so a failure replays exactly. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The records in EventBridge's delivery order: each one late by up to `maxDelay`, so chains arrive backwards. */
function liveOrder(records: readonly CloudTrailRecord[], seed: number, maxDelay: number): CloudTrailRecord[] {
  const next = random(seed);
  return records
    .map((record) => ({ record, delivered: Date.parse(String(record.eventTime)) + next() * maxDelay }))
    .sort((a, b) => a.delivered - b.delivered)
    .map((entry) => entry.record);
}

describe('lineage, live on DynamoDB Local and in replay', () => {
  it('gives the replay findings to the SQS handler whatever the delivery order', async () => {
    await writeLineageTrail(trailDir);
    const replay = await runCli([
      'detect',
      '--format',
      'jsonl',
      '--config',
      LINEAGE_CONFIG_URL.pathname,
      trailDir,
    ]);
    expect(replay.code).toBe(0);
    const replayed = replay.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; detector: string });
    expect(replayed.filter((f) => f.detector === 'pipeline-iam-write').length).toBeGreaterThanOrEqual(5);
    expect(replayed.some((f) => f.detector === 'pipeline-role-borrowed')).toBe(true);

    const configFile = jsonConfig(LINEAGE_CONFIG_URL);
    const instance = () => testRuntime({ table, dynamodb, configFile, options: {} });
    // Two warm function instances sharing the table, taking batches in turn (as concurrent Lambdas do).
    const handlers = [sqsBatchHandler(instance), sqsBatchHandler(instance)];
    const logs = new LogCapture();
    logs.start();
    try {
      const bodies = liveOrder(allLineageRecords(), 16, 6 * MINUTE).map((r) =>
        JSON.stringify(toEventBridgeEvent(r)),
      );
      for (let i = 0, turn = 0; i < bodies.length; i += 10, turn++) {
        const response = await (handlers[turn % 2] as (typeof handlers)[number])(
          sqsBatch(bodies.slice(i, i + 10)),
          context,
        );
        expect(response.batchItemFailures).toEqual([]);
      }
    } finally {
      logs.stop();
    }
    const live = logs.messages('finding').map((line) => String(line.findingId));
    expect(new Set(live)).toEqual(new Set(replayed.map((f) => f.id)));
  }, 120_000);
});
