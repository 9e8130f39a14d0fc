import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAlerting, FLUSH_LIMIT, LEASE_MS } from '../../../lib/alerts/alerting.ts';
import { slackClientFromEnv } from '../../../lib/alerts/clients.ts';
import { MemoryOutbox } from '../../../lib/alerts/memory-outbox.ts';
import type { DeliveryKey, Outbox } from '../../../lib/alerts/outbox.ts';
import { MAX_GROUP } from '../../../lib/alerts/slack-message.ts';
import type { Finding } from '../../../lib/engine/finding.ts';
import { testConfig } from '../../helpers/config.ts';
import {
  accepted,
  platformError,
  posts,
  rateLimited,
  type SlackRequest,
  type SlackServer,
  serverError,
  startSlackServer,
} from '../../helpers/slack-server.ts';
import { EMULATOR_REGION, type SnsEmulator, startSnsEmulator } from '../../helpers/sns-emulator.ts';
import { exampleFindings } from './example-findings.ts';
import { hostileFinding } from './hostile.ts';

const TOKEN = 'xoxb-1111-2222-secrettokenvalue';
const T0 = Date.parse('2026-11-20T10:00:00Z');

let slack: SlackServer;
let sns: SnsEmulator;
let examples: Finding[];

beforeAll(async () => {
  sns = await startSnsEmulator();
  examples = await exampleFindings();
});
afterAll(async () => {
  await sns.stop();
});
beforeEach(async () => {
  slack = await startSlackServer();
  await sns.receive(100, 100); // drain what an earlier test left
});
afterEach(async () => {
  await slack.close();
});

/** A clock that moves only when slept on, recording each wait. */
function fakeClock(start = T0) {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
    sleeps,
  };
}

function snsClient(): SNSClient {
  return new SNSClient({
    endpoint: sns.endpoint,
    region: EMULATOR_REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 3,
  });
}

function setup(
  options: { alerts?: Record<string, unknown>; outbox?: Outbox; clock?: ReturnType<typeof fakeClock> } = {},
) {
  const config = testConfig({
    alerts: options.alerts ?? { slack: { channel: '#sec-alerts' }, sns: { topicArn: sns.topicArn } },
  });
  const clock = options.clock ?? fakeClock();
  const outbox = options.outbox ?? new MemoryOutbox();
  const logs: Record<string, unknown>[] = [];
  const alerting = createAlerting({
    config,
    outbox,
    slack: slackClientFromEnv({ SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: slack.url }),
    sns: snsClient(),
    now: clock.now,
    sleep: clock.sleep,
    logger: (line) => logs.push(line),
  });
  return { alerting, outbox, clock, logs };
}

/** The finding ids a Slack post names. */
function idsIn(request: SlackRequest): string[] {
  return [...new Set(`${request.text} ${JSON.stringify(request.blocks)}`.match(/tg-[0-9a-f]{20}/g) ?? [])];
}

/** How many accepted Slack posts name each finding id. */
function slackCounts(server: SlackServer): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of accepted(server))
    for (const id of idsIn(request)) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

describe('alerting to Slack and SNS', () => {
  it('posts each finding of medium or above to Slack and publishes it to SNS, each with its id', async () => {
    const low = hostileFinding('low', { id: 'tg-00000000000000000001', severity: 'low' });
    const { alerting } = setup();
    const report = await alerting.notify([...examples, low]);

    const ids = examples.map((f) => f.id).sort();
    expect([...slackCounts(slack).keys()].sort()).toEqual(ids);
    expect([...slackCounts(slack).values()].every((n) => n === 1)).toBe(true);
    for (const request of posts(slack)) {
      expect(request.channel).toBe('#sec-alerts');
      expect(request.authorization).toBe(`Bearer ${TOKEN}`);
      expect(request.params.get('unfurl_links')).toBe('false');
      expect(request.params.get('unfurl_media')).toBe('false');
      expect(request.params.has('link_names')).toBe(false);
      expect(request.params.has('parse')).toBe(false);
    }

    const received = await sns.receive(examples.length);
    expect(received.map((m) => (JSON.parse(m.Message) as Finding).id).sort()).toEqual(ids);
    const iamWrite = received.find((m) =>
      m.Subject?.startsWith('[CRITICAL] Service pipeline changed permissions'),
    );
    const finding = examples.find((f) => f.detector === 'pipeline-iam-write') as Finding;
    expect(JSON.parse(iamWrite?.Message ?? '{}')).toEqual(finding);
    expect(iamWrite?.MessageAttributes).toEqual({
      severity: { Type: 'String', Value: 'critical' },
      detector: { Type: 'String', Value: 'pipeline-iam-write' },
      findingId: { Type: 'String', Value: finding.id },
      account: { Type: 'String', Value: '111122223333' },
      pipeline: { Type: 'String', Value: 'shop-prod' },
      environment: { Type: 'String', Value: 'prod' },
    });
    const tampering = received.find((m) => m.Subject?.includes('Audit trail'));
    expect(Object.keys(tampering?.MessageAttributes ?? {}).sort()).toEqual([
      'account',
      'detector',
      'findingId',
      'severity',
    ]);

    expect(report.sent).toHaveLength(2 * examples.length);
    expect(report.failed).toEqual([]);
    expect(report.pending).toBe(0);
    expect(report.sent.some((s) => s.findingId === low.id)).toBe(false);
    expect(await sns.receive(1, 300)).toEqual([]);
  });

  it('loses nothing and sends nothing twice through a Slack outage, and SNS delivers meanwhile', async () => {
    const { alerting, outbox } = setup();
    slack.fallback(serverError);
    const during = await alerting.notify(examples);
    expect(during.sent.map((s) => s.sink).every((sink) => sink.startsWith('sns:'))).toBe(true);
    expect(during.sent).toHaveLength(examples.length);
    expect(during.failed.length).toBe(examples.length);
    expect(during.failed.every((f) => f.sink === 'slack:#sec-alerts' && !f.gaveUp)).toBe(true);
    expect(during.pending).toBe(examples.length);
    expect(await sns.receive(examples.length)).toHaveLength(examples.length);
    // Each failed post was retried by the client (3 requests), and none was taken.
    expect(posts(slack).length % 3).toBe(0);
    expect(accepted(slack)).toEqual([]);

    slack.fallback(undefined);
    const after = await alerting.flush();
    expect(after.failed).toEqual([]);
    expect(after.pending).toBe(0);
    expect(after.sent.every((s) => s.sink === 'slack:#sec-alerts')).toBe(true);
    const counts = slackCounts(slack);
    expect([...counts.keys()].sort()).toEqual(examples.map((f) => f.id).sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);

    const requests = slack.requests.length;
    expect(await alerting.flush()).toEqual({ sent: [], failed: [], pending: 0 });
    expect(await alerting.notify(examples)).toEqual({ sent: [], failed: [], pending: 0 });
    expect(slack.requests.length).toBe(requests);
    expect(await sns.receive(1, 300)).toEqual([]);
    expect(await outbox.countPending()).toBe(0);
  });

  it('delivers to Slack when SNS fails', async () => {
    const missing = sns.topicArn.replace(/[^:]+$/, 'no-such-topic');
    const { alerting } = setup({ alerts: { slack: { channel: '#sec-alerts' }, sns: { topicArn: missing } } });
    const report = await alerting.notify(examples.slice(0, 2));
    expect(report.sent.map((s) => s.sink)).toEqual(['slack:#sec-alerts', 'slack:#sec-alerts']);
    expect(report.failed.map((f) => f.sink)).toEqual([`sns:${missing}`, `sns:${missing}`]);
    expect(report.failed[0]?.error).toMatch(/NotFound/);
    expect(report.pending).toBe(2);
  });

  it('re-sends on flush exactly once what a crash between record and send left behind', async () => {
    const inner = new MemoryOutbox();
    // The process dies as it takes the first Slack delivery: recorded, never sent.
    const crashing: Outbox = {
      ...bind(inner),
      begin: async (key, now, lease) => {
        if (key.sink.startsWith('slack:')) throw new Error('process killed');
        return inner.begin(key, now, lease);
      },
    };
    await setup({ outbox: crashing }).alerting.notify(examples);
    expect(posts(slack)).toEqual([]);
    expect(await inner.countPending()).toBe(examples.length);

    const restarted = setup({ outbox: inner });
    const report = await restarted.alerting.flush();
    expect(report.sent).toHaveLength(examples.length);
    expect([...slackCounts(slack).values()]).toEqual(examples.map(() => 1));
    expect(await restarted.alerting.flush()).toEqual({ sent: [], failed: [], pending: 0 });
    expect(posts(slack).length).toBe(accepted(slack).length);
  });

  it('sends at most one duplicate when the process dies after Slack took a message but before marking it', async () => {
    const inner = new MemoryOutbox();
    const crashing: Outbox = {
      ...bind(inner),
      markSent: async (key: DeliveryKey, now: number) => {
        if (key.sink.startsWith('slack:')) throw new Error('process killed');
        return inner.markSent(key, now);
      },
    };
    const finding = examples.find((f) => f.detector === 'oidc-unexpected-subject') as Finding;
    const first = setup({ outbox: crashing });
    await first.alerting.notify([finding]);
    expect(slackCounts(slack).get(finding.id)).toBe(1);

    const clock = fakeClock(first.clock.now());
    const restarted = setup({ outbox: inner, clock });
    // The dead run's lease still holds it: nothing is sent while it might still be in flight.
    expect((await restarted.alerting.flush()).sent).toEqual([]);
    clock.advance(LEASE_MS);
    expect((await restarted.alerting.flush()).sent).toEqual([
      { findingId: finding.id, sink: 'slack:#sec-alerts' },
    ]);
    expect(slackCounts(slack).get(finding.id)).toBe(2);
    clock.advance(LEASE_MS);
    expect(await restarted.alerting.flush()).toEqual({ sent: [], failed: [], pending: 0 });
    expect(slackCounts(slack).get(finding.id)).toBe(2);
  });

  it('gives up after alerts.maxAttempts once alerts.retryFor has passed, saying so, never silently', async () => {
    slack.fallback(platformError('channel_not_found'));
    const { alerting, logs, clock } = setup({
      alerts: { slack: { channel: '#gone' }, maxAttempts: 2, retryFor: '1h' },
    });
    const finding = examples[0] as Finding;
    const first = await alerting.notify([finding]);
    expect(first.failed).toEqual([
      {
        findingId: finding.id,
        sink: 'slack:#gone',
        error: expect.stringMatching(/channel_not_found/),
        attempts: 1,
        gaveUp: false,
      },
    ]);
    // Attempts used up, but within retryFor: still pending, and tried at every flush.
    clock.advance(59 * 60_000);
    expect((await alerting.flush()).failed[0]).toMatchObject({ attempts: 2, gaveUp: false });
    clock.advance(60_000);
    const second = await alerting.flush();
    expect(second.failed[0]).toMatchObject({ attempts: 3, gaveUp: true });
    expect(second.pending).toBe(0);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'alert given up', findingId: finding.id, attempts: 3 }),
    );
    const requests = slack.requests.length;
    expect(await alerting.flush()).toEqual({ sent: [], failed: [], pending: 0 });
    expect(slack.requests.length).toBe(requests);
    expect(requests).toBe(3); // platform errors are not retried by the client
  });

  it('never shows the token in errors or logs', async () => {
    slack.fallback(platformError(`invalid_auth for ${TOKEN}`));
    const { alerting, logs } = setup({ alerts: { slack: { channel: '#sec' }, maxAttempts: 1 } });
    const report = await alerting.notify([examples[0] as Finding]);
    const text = JSON.stringify([report, logs]);
    expect(text).toContain('invalid_auth');
    expect(text).toContain('[redacted]');
    expect(text).not.toContain('secrettokenvalue');
  });
});

describe('Slack grouping, routing and pacing', () => {
  const at = (id: number, seconds: number, principal = 'arn:aws:iam::111122223333:role/deploy-shop-prod') =>
    hostileFinding('main', {
      id: `tg-${String(id).padStart(20, '0')}`,
      principal,
      severity: 'high',
      time: new Date(T0 + seconds * 1000).toISOString(),
    });

  it('groups a burst for one principal within a minute into one message naming each finding', async () => {
    const burst = [at(1, 0), at(2, 10), at(3, 20), at(4, 40), at(5, 59)];
    const later = at(6, 130);
    const other = at(7, 5, 'arn:aws:iam::111122223333:role/other');
    const { alerting } = setup({ alerts: { slack: { channel: '#sec-alerts' } } });
    const report = await alerting.notify([later, ...burst, other]);
    expect(report.sent).toHaveLength(7);
    const messages = posts(slack).map(idsIn);
    expect(messages).toEqual([burst.map((f) => f.id).sort(), [other.id], [later.id]]);
    expect(posts(slack)[0]?.blocks).toContainEqual(
      expect.objectContaining({
        type: 'header',
        text: expect.objectContaining({ text: '🟠 HIGH: 5 findings for one principal' }),
      }),
    );
  });

  it('sends a huge batch FLUSH_LIMIT deliveries at a time, grouped 20 to a message, leaving the rest pending', async () => {
    const findings = Array.from({ length: FLUSH_LIMIT + 100 }, (_, i) => at(i + 1, 0));
    const { alerting } = setup({ alerts: { slack: { channel: '#sec-alerts' } } });
    const first = await alerting.notify(findings);
    expect(first.sent).toHaveLength(FLUSH_LIMIT);
    expect(first.pending).toBe(100);
    expect(posts(slack)).toHaveLength(FLUSH_LIMIT / MAX_GROUP);
    expect(posts(slack).every((p) => idsIn(p).length === MAX_GROUP)).toBe(true);
    const rest = await alerting.flush();
    expect(rest.sent).toHaveLength(100);
    expect(rest.pending).toBe(0);
    expect(new Set(posts(slack).flatMap(idsIn)).size).toBe(findings.length);
  });

  it('routes by the first matching route and paces posts to one channel at one a second', async () => {
    const clock = fakeClock();
    const { alerting } = setup({
      clock,
      alerts: {
        slack: { channel: '#sec-alerts' },
        routes: [{ when: { severity: ['critical'] }, slack: { channel: '#sec-oncall' } }],
      },
    });
    await alerting.notify(examples);
    const channelOf = new Map(posts(slack).flatMap((p) => idsIn(p).map((id) => [id, p.channel])));
    for (const finding of examples) {
      expect(channelOf.get(finding.id)).toBe(finding.severity === 'critical' ? '#sec-oncall' : '#sec-alerts');
    }
    const oncall = posts(slack).filter((p) => p.channel === '#sec-oncall').length;
    const alertsChannel = posts(slack).filter((p) => p.channel === '#sec-alerts').length;
    expect(oncall).toBeGreaterThan(1);
    // Each channel waits a second between its own posts, not for the other channel's.
    expect(clock.sleeps.filter((ms) => ms === 1000)).toHaveLength(oncall - 1 + (alertsChannel - 1));
    expect(clock.sleeps.every((ms) => ms <= 1000)).toBe(true);
  });

  it('honours 429 Retry-After before posting again', async () => {
    // Longer than the 1 s pacing, so the wait can only come from Retry-After.
    slack.script(rateLimited(2));
    const config = testConfig({ alerts: { slack: { channel: '#sec-alerts' } } });
    const alerting = createAlerting({
      config,
      outbox: new MemoryOutbox(),
      slack: slackClientFromEnv({ SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: slack.url }),
      logger: () => {},
    });
    const report = await alerting.notify([examples[0] as Finding]);
    expect(report.sent).toHaveLength(1);
    const [limited, retried] = posts(slack);
    expect(limited?.status).toBe(429);
    expect(retried?.ok).toBe(true);
    expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(1950);
  });

  it('stops posting to a channel whose Retry-After is too long, leaving the rest pending', async () => {
    slack.script(rateLimited(120));
    const { alerting, logs } = setup({ alerts: { slack: { channel: '#sec-alerts' } } });
    const findings = [
      at(1, 0),
      at(2, 0, 'arn:aws:iam::111122223333:role/b'),
      at(3, 0, 'arn:aws:iam::111122223333:role/c'),
    ];
    const report = await alerting.notify(findings);
    expect(posts(slack)).toHaveLength(1);
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0]?.error).toMatch(/retry after 120s/);
    expect(report.pending).toBe(3);
    expect(logs).toContainEqual(
      expect.objectContaining({ msg: 'slack rate limited: the rest stays pending' }),
    );
  });
});

/** The outbox's methods bound to it, for wrapping one of them. */
function bind(outbox: Outbox): Outbox {
  return {
    record: outbox.record.bind(outbox),
    pending: outbox.pending.bind(outbox),
    countPending: outbox.countPending.bind(outbox),
    begin: outbox.begin.bind(outbox),
    markSent: outbox.markSent.bind(outbox),
    markFailed: outbox.markFailed.bind(outbox),
  };
}
