import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectors } from '../../../detectors/index.ts';
import { type Alerting, createAlerting, type DeliveryReport } from '../../../lib/alerts/alerting.ts';
import { slackClientFromEnv } from '../../../lib/alerts/clients.ts';
import { MemoryOutbox } from '../../../lib/alerts/memory-outbox.ts';
import type { Detector } from '../../../lib/engine/detector.ts';
import type { Finding } from '../../../lib/engine/finding.ts';
import { judge } from '../../../lib/runtime/judge.ts';
import type { Runtime } from '../../../lib/runtime/runtime.ts';
import { MemoryState } from '../../../lib/state/memory-state.ts';
import type { StatePort } from '../../../lib/state/state-port.ts';
import { type Envelope, fixture, LogCapture } from '../../handlers/harness.ts';
import { testConfig } from '../../helpers/config.ts';
import { accepted, startSlackServer } from '../../helpers/slack-server.ts';

const logs = new LogCapture();
beforeEach(() => {
  logs.lines.length = 0;
  logs.start();
});
afterEach(() => logs.stop());

const noReport: DeliveryReport = { sent: [], failed: [], pending: 0 };

function runtimeWith(
  overrides: Partial<Runtime> & { notify?: (findings: readonly Finding[]) => Promise<DeliveryReport> },
) {
  const notified: Finding[][] = [];
  const alerting: Alerting = {
    notify: async (findings) => {
      notified.push([...findings]);
      return (overrides.notify ?? (async () => noReport))(findings);
    },
    flush: async () => noReport,
  };
  const runtime: Runtime = {
    config: testConfig(),
    detectors,
    state: new MemoryState(),
    logger: new Logger({ serviceName: 'trailguard' }),
    alerting: async () => alerting,
    slack: async () => undefined,
    now: () => Date.parse('2026-01-01T00:00:00Z'),
    ...overrides,
  };
  return { runtime, notified };
}

const stopLogging = () => fixture('stoplogging-iamuser.json');

describe('judge', () => {
  it('judges the events of a batch together, oldest first, and sends the findings once', async () => {
    const calls: number[][] = [];
    const state = new MemoryState();
    const counting: StatePort = {
      addEntries: (entries) => {
        calls.push(entries.map((e) => e.time));
        return state.addEntries(entries);
      },
      readEntries: (keys, from, to) => state.readEntries(keys, from, to),
      addAndRead: (entries, from, to) => {
        calls.push(entries.map((e) => e.time));
        return state.addAndRead(entries, from, to);
      },
      claim: (claims) => state.claim(claims),
      confirm: (claims) => state.confirm(claims),
      remember: (entries) => state.remember(entries),
      recall: (keys) => state.recall(keys),
      prune: (before) => state.prune(before),
    };
    const burst = fixture<Envelope[]>('getpassworddata-denied-burst.json');
    const { runtime, notified } = runtimeWith({
      state: counting,
      config: testConfig({ detectors: { 'access-denied-spike': { threshold: 5, baselineWindows: 0 } } }),
    });
    const result = await judge(
      runtime,
      burst.map((event, i) => ({ id: `m${i}`, event })),
    );
    expect(result).toMatchObject({ failed: [], judged: 6 });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual([...(calls[0] ?? [])].sort((a, b) => a - b));
    expect(notified).toHaveLength(1);
    expect(notified[0]?.map((f) => f.detector)).toEqual(['access-denied-spike']);
  });

  it('fails every event of the batch when state is down, so they come back', async () => {
    const broken = Object.assign(new MemoryState(), {
      claim: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
    });
    const { runtime, notified } = runtimeWith({ state: broken });
    const result = await judge(runtime, [
      { id: 'a', event: stopLogging() },
      { id: 'b', event: { not: 'cloudtrail' } },
    ]);
    expect(result.failed.sort()).toEqual(['a', 'b']);
    expect(notified).toEqual([]);
    expect(logs.messages('state unavailable: events will be delivered again')).toEqual([
      expect.objectContaining({ eventIds: [stopLogging().detail.eventID] }),
    ]);
  });

  it('fails the batch when the findings cannot be recorded for alerting, and says which findings', async () => {
    const { runtime } = runtimeWith({
      notify: async () => {
        throw new Error('outbox: TransactionCanceledException');
      },
    });
    const result = await judge(runtime, [{ id: 'a', event: stopLogging() }]);
    expect(result.failed).toEqual(['a']);
    const [line] = logs.messages('alerts not recorded: the events will be delivered again');
    expect(line?.findingIds).toEqual(result.findings.map((f) => f.id));
    expect(result.findings).toHaveLength(2);
  });

  it('loses no finding when the outbox write fails: the redelivery raises the same ids, sent once', async () => {
    const slack = await startSlackServer();
    try {
      const outbox = new MemoryOutbox();
      let recordFailures = 1;
      const record = outbox.record.bind(outbox);
      outbox.record = async (deliveries, now) => {
        if (recordFailures-- > 0) throw new Error('ProvisionedThroughputExceededException: outbox write');
        return record(deliveries, now);
      };
      const config = testConfig({ alerts: { slack: { channel: '#sec' } } });
      const slackClient = slackClientFromEnv({ SLACK_BOT_TOKEN: 'xoxb-1-2-judge', SLACK_API_URL: slack.url });
      const state = new MemoryState();
      // Each invocation builds its own engine, as a Lambda invocation does.
      const runtime = runtimeWith({
        config,
        state,
        alerting: async () =>
          createAlerting({ config, outbox, slack: slackClient, sleep: async () => {}, logger: () => {} }),
      }).runtime;
      const first = await judge(runtime, [{ id: 'a', event: stopLogging() }]);
      expect(first.failed).toEqual(['a']);
      expect(first.findings).toHaveLength(2);
      expect(accepted(slack)).toEqual([]);

      const redelivered = await judge(runtime, [{ id: 'a', event: stopLogging() }]);
      expect(redelivered.failed).toEqual([]);
      expect(redelivered.findings.map((f) => f.id).sort()).toEqual(first.findings.map((f) => f.id).sort());
      expect(logs.messages('judged').at(-1)).toMatchObject({ findings: 2, reraised: 2 });
      const sent = accepted(slack).flatMap((post) => post.body.match(/tg-[0-9a-f]{20}/g) ?? []);
      expect([...new Set(sent)].sort()).toEqual(first.findings.map((f) => f.id).sort());

      // Confirmed now: a third delivery folds, and nothing more is sent.
      const posts = slack.requests.length;
      const third = await judge(runtime, [{ id: 'a', event: stopLogging() }]);
      expect(third).toMatchObject({ failed: [], findings: [] });
      expect(slack.requests.length).toBe(posts);
      for (const id of first.findings.map((f) => f.id)) {
        expect(accepted(slack).filter((post) => post.body.includes(id))).toHaveLength(1);
      }
    } finally {
      await slack.close();
    }
  });

  it('logs a detector that throws with the event, and still judges with the others', async () => {
    const thrower: Detector = {
      ...detectors[0],
      id: 'broken',
      kind: 'event',
      needs: [{ source: '*', readOnly: true }],
      evaluate: () => {
        throw new Error('boom');
      },
    } as Detector;
    const { runtime, notified } = runtimeWith({ detectors: [thrower, ...detectors] });
    const result = await judge(runtime, [{ id: 'a', event: stopLogging() }]);
    expect(result.failed).toEqual([]);
    expect(notified[0]).toHaveLength(2);
    expect(logs.messages('detector failed')).toEqual([
      expect.objectContaining({
        detector: 'broken',
        error: 'boom',
        eventId: stopLogging().detail.eventID,
        level: 'ERROR',
      }),
    ]);
  });
});
