import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandler as eventBridgeHandler } from '../../handlers/eventbridge.ts';
import { createHandler as scheduledHandler } from '../../handlers/scheduled.ts';
import { createHandler as sqsBatchHandler } from '../../handlers/sqs-batch.ts';
import { snsClientFromEnv } from '../../lib/alerts/clients.ts';
import type { Finding } from '../../lib/engine/finding.ts';
import { createDynamoDbClient } from '../../lib/state/dynamodb-client.ts';
import {
  type Envelope,
  fixture,
  LogCapture,
  SECRET_ARN,
  SLACK_TOKEN,
  sqsBatch,
  testRuntime,
} from '../handlers/harness.ts';
import { LOCAL_AWS_ENV, localClient } from '../helpers/dynamodb-local.ts';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.ts';
import { sharedDynamoDb, TestTables } from '../helpers/shared-dynamodb.ts';
import { accepted, type SlackServer, startSlackServer } from '../helpers/slack-server.ts';
import { type SnsEmulator, startSnsEmulator } from '../helpers/sns-emulator.ts';
import { type SecretsManagerStub, startSecretsManagerStub } from '../lib/runtime/secrets-manager-stub.ts';
import { claimItems, reportFigures } from './fault-tables.ts';

/**
 * The Lambda handlers, built as a cold start builds them, with DynamoDB or SNS failing behind a
 * fault-injecting proxy: events are retried, never lost, and each alert reaches each sink once.
 */

const context = { awsRequestId: 'req-faults', functionName: 'trailguard-detect' } as Context;
const credentials = {
  accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID,
  secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY,
};

let endpoint: string;
let admin: DynamoDBClient;
let slack: SlackServer;
let sns: SnsEmulator;
let secrets: SecretsManagerStub;
const tables = new TestTables(() => admin);
const logs = new LogCapture();

beforeAll(async () => {
  endpoint = await sharedDynamoDb();
  admin = localClient(endpoint);
  [slack, sns, secrets] = await Promise.all([
    startSlackServer(),
    startSnsEmulator('faults'),
    startSecretsManagerStub(),
  ]);
  secrets.secrets.set(SECRET_ARN, SLACK_TOKEN);
});
afterAll(async () => {
  await tables.deleteAll();
  await Promise.all([slack.close(), sns.stop(), secrets.close()]);
  admin.destroy();
});
beforeEach(async () => {
  slack.requests.length = 0;
  await sns.receive(100, 100);
  logs.lines.length = 0;
  logs.start();
});
afterEach(() => {
  logs.stop();
  vi.unstubAllEnvs();
});

/** How many accepted Slack posts name each finding id. */
function slackCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const post of accepted(slack)) {
    for (const id of new Set(post.body.match(/tg-[0-9a-f]{20}/g) ?? []))
      counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

async function snsCounts(expected: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  // Wait for what should arrive, then a little longer for anything extra.
  const received = [...(await sns.receive(expected, 5000)), ...(await sns.receive(100, 300))];
  for (const message of received) {
    const id = (JSON.parse(message.Message) as Finding).id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

async function runtimeFor(options: { dynamodb: DynamoDBClient; sns?: SNSClient }) {
  const table = await tables.create('faults-handler');
  return testRuntime({
    table,
    dynamodb: options.dynamodb,
    topicArn: sns.topicArn,
    options: { secretsManager: secrets.client, sns: options.sns ?? sns.sns, slackApiUrl: slack.url },
  });
}

/** The client the handlers build, pointed at the proxy; two attempts so an outage fails fast. */
function proxiedDynamoDb(proxy: FaultProxy): DynamoDBClient {
  return createDynamoDbClient(
    { endpoint: proxy.url, region: LOCAL_AWS_ENV.AWS_REGION, credentials, maxAttempts: 2 },
    {},
  );
}

const findingIds = () => [...new Set(logs.messages('finding').map((line) => String(line.findingId)))].sort();

describe('the SQS batch handler with DynamoDB unavailable for a stretch', () => {
  it('reports the batch for redelivery, then raises the same findings once DynamoDB is back, each alerted once', async () => {
    const burst = fixture<Envelope[]>('getpassworddata-denied-burst.json');
    const bodies = [
      ...burst,
      fixture('assume-role-with-web-identity-github.json'),
      fixture('stoplogging-iamuser.json'),
    ].map((event) => JSON.stringify(event));
    const everyMessage = bodies.map((_, i) => `message-${i}`).sort();
    const failures = (response: { batchItemFailures: { itemIdentifier: string }[] }) =>
      response.batchItemFailures.map((f) => f.itemIdentifier).sort();

    // What the batch raises with nothing failing, on a table of its own.
    const reference = await runtimeFor({ dynamodb: admin });
    await sqsBatchHandler(async () => reference)(sqsBatch(bodies), context);
    const expected = findingIds();
    expect(expected.length).toBeGreaterThanOrEqual(3);
    await sns.receive(100, 1000);
    slack.requests.length = 0;
    logs.lines.length = 0;

    const proxy = await startFaultProxy({ target: endpoint, seed: 9 });
    const dynamodb = proxiedDynamoDb(proxy);
    try {
      const runtime = await runtimeFor({ dynamodb });
      const handler = sqsBatchHandler(async () => runtime);

      // 1. DynamoDB down: 500s and resets on every request.
      proxy.setRules([{ kind: 'reset', rate: 0.3 }, { kind: 'server-error' }]);
      expect(failures(await handler(sqsBatch(bodies), context))).toEqual(everyMessage);
      expect(logs.messages('state unavailable: events will be delivered again')).toHaveLength(1);
      const outage = proxy.totalInjected();

      // 2. Half back: state answers, but every outbox write fails — after the engine claimed the findings.
      proxy.setRules([
        { kind: 'server-error', match: (r) => r.body.includes('"o#') || r.body.includes('o!queue') },
      ]);
      expect(failures(await handler(sqsBatch(bodies), context))).toEqual(everyMessage);
      expect(logs.messages('alerts not recorded: the events will be delivered again')).toHaveLength(1);
      const claimed = await claimItems(admin, runtime.state.table);
      expect(claimed.length).toBeGreaterThan(0);
      expect(claimed.every((c) => c.unconfirmed)).toBe(true);
      expect(accepted(slack)).toEqual([]);

      // 3. Recovered: the redelivered batch raises the same findings under the same ids.
      proxy.setRules([]);
      logs.lines.length = 0;
      expect(failures(await handler(sqsBatch(bodies), context))).toEqual([]);
      expect(findingIds()).toEqual(expected);
      expect(logs.messages('judged')).toEqual([expect.objectContaining({ reraised: claimed.length })]);
      expect((await claimItems(admin, runtime.state.table)).every((c) => !c.unconfirmed)).toBe(true);

      // 4. Delivered again (SQS is at least once): folded, nothing sent twice.
      logs.lines.length = 0;
      expect(failures(await handler(sqsBatch(bodies), context))).toEqual([]);
      expect(logs.messages('finding')).toEqual([]);

      await slack.waitForRequests(1);
      const slackSent = slackCounts();
      const snsSent = await snsCounts(expected.length);
      expect([...slackSent.keys()].sort()).toEqual(expected);
      expect([...snsSent.keys()].sort()).toEqual(expected);
      expect([...slackSent.values(), ...snsSent.values()].every((n) => n === 1)).toBe(true);
      reportFigures('sqs-batch-dynamodb-outage', {
        messages: bodies.length,
        findings: expected.length,
        faultsInOutage: outage,
        outboxWritesFailed: proxy.totalInjected() - outage,
        injected: Object.fromEntries(proxy.injected),
        retriedBySdk: proxy.retries,
        redeliveries: 3,
        findingsLost: expected.length - slackSent.size,
        duplicates: [...slackSent.values(), ...snsSent.values()].filter((n) => n > 1).length,
      });
    } finally {
      dynamodb.destroy();
      await proxy.close();
    }
  }, 90_000);
});

describe('SNS failing while Slack works', () => {
  it('keeps SNS alerts pending through 500s and throttling, then the scheduled flush sends each once', async () => {
    const proxy = await startFaultProxy({ target: sns.endpoint, seed: 5 });
    // The SNS client alerting builds (3 attempts, timeouts), from the standard chain, at the proxy.
    vi.stubEnv('AWS_ENDPOINT_URL_SNS', proxy.url);
    for (const [name, value] of Object.entries(LOCAL_AWS_ENV)) vi.stubEnv(name, value);
    const snsClient = snsClientFromEnv();
    try {
      const runtime = await runtimeFor({ dynamodb: admin, sns: snsClient });
      const event = fixture('stoplogging-iamuser.json');
      proxy.setRules([{ kind: 'server-error', rate: 0.5 }, { kind: 'throttle' }]);
      await eventBridgeHandler(async () => runtime)(event, context);
      const ids = findingIds();
      expect(ids.length).toBe(2);
      // Slack had them at once; SNS did not.
      expect([...slackCounts().keys()].sort()).toEqual(ids);
      expect(logs.messages('alert not delivered yet').map((l) => l.sink)).toEqual([
        `sns:${sns.topicArn}`,
        `sns:${sns.topicArn}`,
      ]);
      expect(await sns.receive(1, 300)).toEqual([]);

      // Still failing at the next scheduled flush: they stay pending (attempt 2 of alerts.maxAttempts).
      const flush = scheduledHandler(async () => runtime);
      await flush({ task: 'flush' }, context);
      expect(logs.messages('alert not delivered yet')).toHaveLength(4);
      const duringOutage = proxy.totalInjected();

      proxy.setRules([]);
      await flush({ task: 'flush' }, context);
      await flush({ task: 'flush' }, context);
      const snsSent = await snsCounts(ids.length);
      expect([...snsSent.keys()].sort()).toEqual(ids);
      expect([...snsSent.values()].every((n) => n === 1)).toBe(true);
      expect([...slackCounts().values()].every((n) => n === 1)).toBe(true);
      expect(logs.messages('alert given up')).toEqual([]);
      reportFigures('sns-outage', {
        findings: ids.length,
        injected: Object.fromEntries(proxy.injected),
        faultsDuringOutage: duringOutage,
        publishRequests: proxy.requests.get('Publish'),
        retriedBySdk: proxy.retries,
        findingsLost: ids.length - snsSent.size,
        duplicates: [...snsSent.values()].filter((n) => n > 1).length,
      });
    } finally {
      snsClient.destroy();
      await proxy.close();
    }
  }, 60_000);
});
