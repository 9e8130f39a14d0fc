import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventNotJudgedError, createHandler as eventBridgeHandler } from '../../handlers/eventbridge.ts';
import { createHandler as scheduledHandler } from '../../handlers/scheduled.ts';
import { createHandler as sqsBatchHandler } from '../../handlers/sqs-batch.ts';
import { STATE_TABLE_ACTIONS } from '../../infra/permissions.ts';
import { localClient } from '../helpers/dynamodb-local.ts';
import { createTestTable, deleteTestTable, sharedDynamoDb } from '../helpers/shared-dynamodb.ts';
import { accepted, posts, type SlackServer, serverError, startSlackServer } from '../helpers/slack-server.ts';
import { type SnsEmulator, startSnsEmulator } from '../helpers/sns-emulator.ts';
import type { CloudTrailRecord } from '../helpers/trail-records.ts';
import { emulate } from '../lib/queries/insights-emulator.ts';
import { startLogsServer } from '../lib/queries/logs-server.ts';
import { type SecretsManagerStub, startSecretsManagerStub } from '../lib/runtime/secrets-manager-stub.ts';
import {
  type Envelope,
  fixture,
  LogCapture,
  type RuntimeFixture,
  SECRET_ARN,
  SLACK_TOKEN,
  sqsBatch,
  testRuntime,
} from './harness.ts';

/**
 * The handlers end to end, built the way a cold start builds them (buildRuntime from environment
 * variables), against DynamoDB Local, a loopback Slack, an SNS emulator and a Secrets Manager stub.
 */

const context = { awsRequestId: 'req-1', functionName: 'trailguard-detect' } as Context;

let dynamodb: DynamoDBClient;
/** Creates and deletes the tables, so the handlers' client records only what the handlers do. */
let admin: DynamoDBClient;
let slack: SlackServer;
let sns: SnsEmulator;
let secrets: SecretsManagerStub;
const tables: string[] = [];
const operations = new Set<string>();
const logs = new LogCapture();

beforeAll(async () => {
  const endpoint = await sharedDynamoDb();
  dynamodb = localClient(endpoint);
  admin = localClient(endpoint);
  // Every DynamoDB call the handlers make, as IAM authorizes it (a transaction by its parts).
  dynamodb.middlewareStack.add(
    (next, ctx) => async (args) => {
      const input = args.input as { TransactItems?: Record<string, unknown>[] };
      if (input.TransactItems) {
        const parts: Record<string, string> = {
          Put: 'PutItem',
          Update: 'UpdateItem',
          Delete: 'DeleteItem',
          ConditionCheck: 'ConditionCheckItem',
        };
        for (const item of input.TransactItems)
          for (const kind of Object.keys(item)) operations.add(`dynamodb:${parts[kind]}`);
      } else {
        operations.add(`dynamodb:${String(ctx.commandName).replace(/Command$/, '')}`);
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordOperations' },
  );
  [slack, sns, secrets] = await Promise.all([
    startSlackServer(),
    startSnsEmulator(),
    startSecretsManagerStub(),
  ]);
  secrets.secrets.set(SECRET_ARN, SLACK_TOKEN);
});

afterAll(async () => {
  await Promise.all(tables.map((t) => deleteTestTable(admin, t)));
  await Promise.all([slack.close(), sns.stop(), secrets.close()]);
  dynamodb.destroy();
  admin.destroy();
});

beforeEach(() => {
  slack.requests.length = 0;
  slack.fallback(undefined);
  logs.lines.length = 0;
  logs.raw.length = 0;
  logs.start();
});
afterEach(() => logs.stop());

async function freshRuntime(prefix: string, extra: Partial<RuntimeFixture> = {}) {
  const table = await createTestTable(admin, prefix);
  tables.push(table);
  const fixtureOptions: RuntimeFixture = {
    table,
    dynamodb,
    topicArn: sns.topicArn,
    ...extra,
    options: { secretsManager: secrets.client, sns: sns.sns, slackApiUrl: slack.url, ...extra.options },
  };
  return testRuntime(fixtureOptions);
}

describe('the EventBridge handler', () => {
  it('judges a real-shaped event and sends the alert to Slack and SNS, once for a redelivered event', async () => {
    const runtime = await freshRuntime('eb');
    const handler = eventBridgeHandler(async () => runtime);
    const event = fixture('stoplogging-iamuser.json');
    await handler(event, context);
    await handler(structuredClone(event), context);

    const delivered = accepted(slack);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.channel).toBe('#security-alerts');
    expect(delivered[0]?.authorization).toBe(`Bearer ${SLACK_TOKEN}`);
    const findings = logs.messages('finding');
    expect(findings.map((f) => f.detector).sort()).toEqual(['audit-tampering', 'long-lived-key']);
    for (const finding of findings) {
      expect(delivered[0]?.body).toContain(String(finding.findingId));
      expect(finding.eventIds).toEqual([event.detail.eventID]);
      expect(finding.envelopeId).toBe(event.id);
      expect(finding.function_request_id).toBe('req-1');
    }
    const published = await sns.receive(2);
    expect(published.map((m) => JSON.parse(m.Message).id).sort()).toEqual(
      findings.map((f) => f.findingId).sort(),
    );
    expect(await sns.receive(1, 300)).toEqual([]);
    for (const line of logs.messages('alert sent')) {
      expect(line.eventIds).toEqual([event.detail.eventID]);
      expect(line.envelopeId).toBe(event.id);
    }
    expect(logs.messages('alert sent')).toHaveLength(4);
    expect(logs.raw.join('')).not.toContain(SLACK_TOKEN);
  });

  it('raises nothing for a benign event, and fails an event that is not CloudTrail', async () => {
    const runtime = await freshRuntime('eb-benign');
    const handler = eventBridgeHandler(async () => runtime);
    await handler(fixture('deleterolepermissionsboundary-sso-console.json'), context);
    expect(posts(slack)).toEqual([]);
    const forged = {
      ...fixture('deleterolepermissionsboundary-sso-console.json'),
      id: 'forged-1',
      detail: { hello: 'world' },
    };
    await expect(handler(forged as Envelope, context)).rejects.toBeInstanceOf(EventNotJudgedError);
    expect(logs.messages('event rejected: not a CloudTrail record')).toEqual([
      expect.objectContaining({ inboundId: 'forged-1', level: 'ERROR' }),
    ]);
  });
});

describe('the SQS batch handler', () => {
  it('reports exactly the poison records, and judges the rest in one batch', async () => {
    const runtime = await freshRuntime('sqs');
    const handler = sqsBatchHandler(async () => runtime);
    const burst = fixture<Envelope[]>('getpassworddata-denied-burst.json');
    const bodies = [
      ...burst.map((e) => JSON.stringify(e)),
      '{"truncated": ',
      JSON.stringify({ source: 'acme.orders', 'detail-type': 'OrderPlaced', detail: { order: 1 } }),
      JSON.stringify(fixture('assume-role-with-web-identity-github.json')),
    ];
    const response = await handler(sqsBatch(bodies), context);
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'message-6' },
      { itemIdentifier: 'message-7' },
    ]);

    const findings = logs.messages('finding');
    expect(findings.map((f) => f.detector).sort()).toEqual([
      'access-denied-spike',
      'oidc-unexpected-subject',
    ]);
    expect(logs.messages('judged')).toEqual([expect.objectContaining({ events: 7, findings: 2 })]);
    // Six denials by one principal within a minute: one counter write and one read for the whole batch.
    expect(runtime.state.stats.byPart.get('counters')).toBe(2);
    const delivered = await slack.waitForRequests(2, 15_000);
    expect(delivered.filter((r) => r.ok)).toHaveLength(2);
  });

  it('costs fewer DynamoDB requests per event in a batch than one event at a time', async () => {
    const burst = fixture<Envelope[]>('getpassworddata-denied-burst.json');
    const single = await freshRuntime('single');
    const one = eventBridgeHandler(async () => single);
    for (const event of burst) await one(event, context);
    const batched = await freshRuntime('batched');
    await sqsBatchHandler(async () => batched)(sqsBatch(burst.map((e) => JSON.stringify(e))), context);
    expect(batched.state.stats.total).toBeLessThan(single.state.stats.total / 2);
  });
});

describe('the scheduled handler', () => {
  it('sends what a Slack outage left pending', async () => {
    const runtime = await freshRuntime('flush');
    slack.fallback(serverError);
    await eventBridgeHandler(async () => runtime)(
      fixture('assume-role-with-web-identity-github.json'),
      context,
    );
    expect(accepted(slack)).toEqual([]);
    expect(logs.messages('alert not delivered yet')).toHaveLength(1);

    slack.fallback(undefined);
    await scheduledHandler(async () => runtime)({ task: 'flush' }, context);
    const delivered = accepted(slack);
    expect(delivered).toHaveLength(1);
    const [finding] = logs.messages('finding');
    expect(delivered[0]?.body).toContain(String(finding?.findingId));
    // SNS had it from the first invocation: one sink failing never holds up another.
    expect(logs.messages('alert sent').map((line) => [line.findingId, line.sink])).toEqual([
      [finding?.findingId, `sns:${sns.topicArn}`],
      [finding?.findingId, 'slack:#security-alerts'],
    ]);
  });

  it("posts the weekly AccessDenied digest from the trail's log group", async () => {
    const burst = fixture<Envelope[]>('getpassworddata-denied-burst.json').map(
      (e) => e.detail as CloudTrailRecord,
    );
    const logsServer = await startLogsServer(emulate(burst));
    try {
      const runtime = await freshRuntime('digest', {
        digestLogGroup: 'org-trail',
        options: { logs: logsServer.client(), now: () => Date.parse('2024-07-31T08:00:00Z') },
      });
      await scheduledHandler(async () => runtime)({ task: 'digest' }, context);
      expect(logsServer.requests.map((r) => r.operation)).toContain('StartQuery');
      expect(logsServer.requests.find((r) => r.operation === 'StartQuery')?.body.logGroupIdentifiers).toEqual(
        ['org-trail'],
      );
      const [post] = accepted(slack);
      expect(post?.channel).toBe('#security-alerts');
      const identity = burst[0]?.userIdentity as { sessionContext: { sessionIssuer: { userName: string } } };
      const role = identity.sessionContext.sessionIssuer.userName;
      expect(JSON.stringify(post?.blocks)).toContain(role);
      expect(logs.messages('digest posted')).toEqual([expect.objectContaining({ denials: 6, previous: 0 })]);
    } finally {
      await logsServer.close();
    }
  });

  it('skips the digest when no log group was deployed', async () => {
    const runtime = await freshRuntime('no-digest');
    await scheduledHandler(async () => runtime)({ task: 'digest' }, context);
    expect(posts(slack)).toEqual([]);
    expect(logs.messages('digest not posted')).toEqual([expect.objectContaining({ reason: 'no-log-group' })]);
  });
});

describe('permissions', () => {
  it('the handlers only made DynamoDB calls the stack grants', () => {
    expect(operations.size).toBeGreaterThan(3);
    expect([...operations].filter((op) => !STATE_TABLE_ACTIONS.includes(op))).toEqual([]);
  });
});
