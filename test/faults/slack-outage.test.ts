import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlerting, type DeliveryReport } from '../../lib/alerts/alerting.ts';
import { slackClientFromEnv } from '../../lib/alerts/clients.ts';
import { DynamoDbOutbox } from '../../lib/alerts/dynamodb-outbox.ts';
import type { Finding } from '../../lib/engine/finding.ts';
import { testConfig } from '../helpers/config.ts';
import { localClient } from '../helpers/dynamodb-local.ts';
import { createTestTable, deleteTestTable, sharedDynamoDb } from '../helpers/shared-dynamodb.ts';
import {
  accepted,
  posts,
  rateLimited,
  type SlackServer,
  serverError,
  startSlackServer,
} from '../helpers/slack-server.ts';
import { EMULATOR_REGION, type SnsEmulator, startSnsEmulator } from '../helpers/sns-emulator.ts';
import { EXAMPLE_NOW, exampleFindings } from '../lib/alerts/example-findings.ts';
import { reportFigures } from './fault-tables.ts';

/**
 * Slack down for a quarter of an hour, on a fake clock, with the outbox in DynamoDB Local and the
 * scheduled flush every 5 minutes as deployed: 500s, then a 10-minute Retry-After, then 500s again.
 * What test/lib/alerts covers already (one outage and one flush, Retry-After, leases after a crash,
 * giving up) is not repeated; this is the long outage across several scheduled flushes, each a fresh
 * alerting as each Lambda invocation builds.
 */

const MINUTE = 60_000;
const FLUSH_EVERY = 5 * MINUTE;

let admin: DynamoDBClient;
let slack: SlackServer;
let sns: SnsEmulator;
let table: string;
let findings: Finding[];

beforeAll(async () => {
  admin = localClient(await sharedDynamoDb());
  [slack, sns, findings] = await Promise.all([
    startSlackServer(),
    startSnsEmulator('slack-outage'),
    exampleFindings(),
  ]);
  table = await createTestTable(admin, 'slack-outage');
});
afterAll(async () => {
  await deleteTestTable(admin, table);
  await Promise.all([slack.close(), sns.stop()]);
  admin.destroy();
});

describe('Slack down for minutes', () => {
  it('keeps every Slack alert pending across the scheduled flushes, then sends each once', async () => {
    let now = EXAMPLE_NOW;
    const config = testConfig({
      alerts: { slack: { channel: '#sec-alerts' }, sns: { topicArn: sns.topicArn } },
    });
    const outbox = new DynamoDbOutbox(admin, table);
    const snsClient = new SNSClient({
      endpoint: sns.endpoint,
      region: EMULATOR_REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const logs: Record<string, unknown>[] = [];
    // One alerting per invocation, as the scheduled handler builds it.
    const invocation = () =>
      createAlerting({
        config,
        outbox,
        slack: slackClientFromEnv({ SLACK_BOT_TOKEN: 'xoxb-7-8-outage', SLACK_API_URL: slack.url }),
        sns: snsClient,
        now: () => now,
        sleep: async (ms) => {
          now += ms;
        },
        logger: (line) => logs.push(line),
      });
    const slackFailures = (report: DeliveryReport) =>
      report.failed.filter((f) => f.sink.startsWith('slack:'));
    try {
      slack.fallback(serverError);
      const detected = await invocation().notify(findings);
      expect(slackFailures(detected)).toHaveLength(findings.length);
      expect(detected.sent.every((s) => s.sink.startsWith('sns:'))).toBe(true);

      now += FLUSH_EVERY;
      slack.script(rateLimited(600));
      const limited = await invocation().flush();
      expect(limited.sent).toEqual([]);
      expect(limited.pending).toBe(findings.length);
      expect(logs).toContainEqual(
        expect.objectContaining({ msg: 'slack rate limited: the rest stays pending' }),
      );

      now += FLUSH_EVERY;
      const still = await invocation().flush();
      expect(slackFailures(still).every((f) => !f.gaveUp)).toBe(true);
      expect(still.pending).toBe(findings.length);
      const attempts = Math.max(...slackFailures(still).map((f) => f.attempts ?? 0));

      now += FLUSH_EVERY;
      slack.fallback(undefined);
      const recovered = await invocation().flush();
      expect(recovered.failed).toEqual([]);
      expect(recovered.pending).toBe(0);
      now += FLUSH_EVERY;
      expect(await invocation().flush()).toEqual({ sent: [], failed: [], pending: 0 });

      const counts = new Map<string, number>();
      for (const post of accepted(slack)) {
        for (const id of new Set(post.body.match(/tg-[0-9a-f]{20}/g) ?? []))
          counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      const ids = findings.map((f) => f.id).sort();
      expect([...counts.keys()].sort()).toEqual(ids);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      const published = await sns.receive(findings.length, 5000);
      expect(published.map((m) => (JSON.parse(m.Message) as Finding).id).sort()).toEqual(ids);
      expect(await sns.receive(1, 300)).toEqual([]);
      expect(logs.filter((line) => line.msg === 'alert given up')).toEqual([]);
      reportFigures('slack-outage', {
        simulatedMinutes: (now - EXAMPLE_NOW) / MINUTE,
        findings: findings.length,
        slackRequests: posts(slack).length,
        slackRefused: posts(slack).filter((p) => !p.ok).length,
        maxAttemptsUsed: attempts,
        findingsLost: ids.length - counts.size,
        duplicates: [...counts.values()].filter((n) => n > 1).length,
      });
    } finally {
      snsClient.destroy();
    }
  }, 60_000);
});
