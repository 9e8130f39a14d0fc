import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accessDeniedSpike } from '../../detectors/access-denied-spike.ts';
import type { ResolvedConfig } from '../../lib/config/resolved-config.ts';
import { DetectionEngine } from '../../lib/engine/detection-engine.ts';
import { normalizeRecord } from '../../lib/events/normalize.ts';
import type { NormalizedEvent } from '../../lib/events/normalized-event.ts';
import { MemoryState } from '../../lib/state/memory-state.ts';
import { exampleConfig, testConfig } from '../helpers/config.ts';
import { corpusRecords, derivedRecord, normalized } from '../helpers/records.ts';
import { detectorContext, replicate, runDetector } from '../helpers/stateful-run.ts';

type JsonRecord = Record<string, unknown>;

const NOW = Date.parse('2026-11-26T00:00:00Z');

const GET_PASSWORD_DATA = corpusRecords(
  'access-denied/stratus-ec2-getpassworddata-unauthorizedoperation-burst.json',
);
const STRATUS_ROLE = 'arn:aws:iam::457448411975:role/stratus-red-team-ec2-get-password-data-role';
const START = Date.parse('2024-07-30T21:31:20Z');
const MINUTE = 60_000;

function burst(count: number, start = START, stepMs = 1000, tag = 'gpd'): NormalizedEvent[] {
  return replicate(GET_PASSWORD_DATA, count, (i) => start + i * stepMs, tag);
}

/** Through the real engine and in-memory state, in event-time order, `batch` events per call. */
const run = (events: readonly NormalizedEvent[], config = testConfig(), batch = 500) =>
  runDetector(accessDeniedSpike, events, config, batch);

function spikeConfig(params: Record<string, unknown>): ResolvedConfig {
  return testConfig({ detectors: { 'access-denied-spike': params } });
}

describe('access-denied-spike: threshold and window', () => {
  it('stays quiet at threshold − 1 and fires at exactly the threshold (the GetPasswordData burst)', async () => {
    expect(await run(burst(19))).toEqual([]);
    const findings = await run(burst(20));
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding).toMatchObject({
      detector: 'access-denied-spike',
      severity: 'high',
      principal: STRATUS_ROLE,
      count: 20,
      firstSeen: '2024-07-30T21:31:20.000Z',
      lastSeen: '2024-07-30T21:31:39.000Z',
      time: '2024-07-30T21:31:39.000Z',
    });
    expect(finding?.eventIds).toEqual(
      Array.from({ length: 20 }, (_, i) => `gpd-${String(i).padStart(4, '0')}`),
    );
    expect(finding?.summary).toBe(
      `${STRATUS_ROLE} was denied 20 times in 5m, most often ec2:GetPasswordData (20)`,
    );
    expect(finding?.details).toMatchObject({
      window: '5m',
      bar: 20,
      threshold: 20,
      baselineMedian: 0,
      actorType: 'AssumedRole',
      actions: [{ value: 'ec2:GetPasswordData', count: 20 }],
      errorCodes: [{ value: 'Client.UnauthorizedOperation', count: 20 }],
      accessKeys: [{ value: 'ASIANQQHHS551LWULIWD', count: 20 }],
    });
    // Six instances in the capture, cycled: the resources name them from requestParameters.
    const resources = (finding?.details?.resources ?? []) as { value: string; count: number }[];
    expect(resources).toHaveLength(5);
    expect(resources.every((r) => r.value.startsWith('instanceId=i-'))).toBe(true);
  });

  it('counts only the window ending at the event: an event exactly one window earlier is outside', async () => {
    // 1 denial at START, 19 more ending exactly 5m later: the first one has left the window.
    const edge = (lastAt: number) => [
      ...burst(1, START, 1000, 'early'),
      ...burst(19, lastAt - 18_000, 1000, 'late'),
    ];
    expect(await run(edge(START + 5 * MINUTE))).toEqual([]);
    const inside = await run(edge(START + 5 * MINUTE - 1000));
    expect(inside).toHaveLength(1);
    expect(inside[0]).toMatchObject({ count: 20, firstSeen: '2024-07-30T21:31:20.000Z' });
  });

  it('takes its window and threshold from the config', async () => {
    const config = spikeConfig({ window: '1m', threshold: 5, baselineWindows: 0 });
    expect(accessDeniedSpike.lookback(contextOf(config))).toBe(MINUTE);
    // 5 denials 20 s apart span 80 s: never 5 within one minute.
    expect(await run(burst(5, START, 20_000), config)).toEqual([]);
    expect(await run(burst(5, START, 10_000), config)).toHaveLength(1);
  });

  it('raises a burst once, its tail included, and a sustained spike again only after two windows', async () => {
    // 60 denials in a minute, then a stray one every 2 minutes: the window still holds the burst when the
    // strays arrive after one window, yet it is the same burst.
    const strays = replicate(GET_PASSWORD_DATA, 6, (i) => START + (2 + 2 * i) * MINUTE, 'stray');
    expect(await run([...burst(60), ...strays])).toHaveLength(1);
    // 200 denials 6 s apart (20 minutes): at the 20th, then once more two windows later.
    const findings = await run(burst(200, START, 6000));
    expect(findings.map((f) => f.time)).toEqual(['2024-07-30T21:33:14.000Z', '2024-07-30T21:43:14.000Z']);
    // A configured cooldown replaces the default.
    const short = await run(burst(200, START, 6000), spikeConfig({ cooldown: '5m' }));
    expect(short.map((f) => f.time)).toEqual([
      '2024-07-30T21:33:14.000Z',
      '2024-07-30T21:38:14.000Z',
      '2024-07-30T21:43:14.000Z',
      '2024-07-30T21:48:14.000Z',
    ]);
  });
});

describe('access-denied-spike: baseline', () => {
  // 10 denials in each of the 12 windows before the burst, placed mid-window so that every burst event
  // (all within 30 s) sees exactly 10 per prior window: median 10, bar 3 × 10 = 30.
  const background = Array.from({ length: 12 }, (_, w) =>
    burst(10, START - (w + 1) * 5 * MINUTE - 150_000, 10_000, `bg${w}`),
  ).flat();

  it('does not page for an always-noisy principal at 25 or 29, and fires at factor × median', async () => {
    for (const size of [25, 29]) expect(await run([...background, ...burst(size)])).toEqual([]);
    const findings = await run([...background, ...burst(30)]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ count: 30, details: { bar: 30, baselineMedian: 10, threshold: 20 } });
  });

  it('ignores the baseline when it is below the threshold, and with baselineWindows 0', async () => {
    expect(await run([...background, ...burst(30)], spikeConfig({ baselineWindows: 0 }))).toHaveLength(1);
    expect(await run([...background, ...burst(20)], spikeConfig({ factor: 1.5 }))).toHaveLength(1);
  });

  it('looks back one window per baseline window plus the current one', () => {
    expect(accessDeniedSpike.lookback(contextOf(testConfig()))).toBe(65 * MINUTE);
  });
});

describe('access-denied-spike: what counts', () => {
  it('ignores AWS services acting for the principal (invokedBy, a service source address, AWSService)', async () => {
    const viaService = GET_PASSWORD_DATA.map((record) => ({
      ...record,
      sourceIPAddress: 'ec2.amazonaws.com',
    }));
    const invoked = GET_PASSWORD_DATA.map((record) => ({
      ...record,
      userIdentity: { ...(record.userIdentity as JsonRecord), invokedBy: 'autoscaling.amazonaws.com' },
    }));
    expect(await run(replicate(viaService, 25, (i) => START + i * 1000, 'svc'))).toEqual([]);
    expect(await run(replicate(invoked, 25, (i) => START + i * 1000, 'inv'))).toEqual([]);
    // Panther's console-session denials carry invokedBy signin.amazonaws.com (the FQDN one also a service address).
    const panther = corpusRecords(
      'access-denied/panther-accessdenied-createservicelinkedrole-ip-vs-fqdn.json',
    );
    expect(await run(replicate(panther, 25, (i) => START + i * 1000, 'pan'))).toEqual([]);
    const service = burst(1)[0] as NormalizedEvent;
    const asService = { ...service, actor: { ...service.actor, type: 'AWSService' as const } };
    expect(accessDeniedSpike.observe(asService, contextOf(testConfig()))).toBeUndefined();
    expect(accessDeniedSpike.observe(service, contextOf(testConfig()))).toBeDefined();
  });

  it('counts a caller of the same records once invokedBy is gone (control for the case above)', async () => {
    const panther = corpusRecords(
      'access-denied/panther-accessdenied-createservicelinkedrole-ip-vs-fqdn.json',
    );
    const direct = [panther[0] as JsonRecord].map((record) => {
      const { invokedBy: _dropped, ...identity } = record.userIdentity as JsonRecord;
      return { ...record, userIdentity: identity };
    });
    const findings = await run(replicate(direct, 20, (i) => START + i * 1000, 'direct'));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.details?.resources).toEqual([
      { value: 'arn:aws:iam::123456789012:resource', count: 20 },
    ]);
  });

  it('routes only authorization failures, read-only calls included', async () => {
    expect(accessDeniedSpike.needs).toEqual([{ source: '*', readOnly: true, deniedOnly: true }]);
    const dryRun = corpusRecords('access-denied/panther-negative-dryrun-operation-not-a-denial.json').map(
      (record) => {
        const { invokedBy: _dropped, ...identity } = record.userIdentity as JsonRecord;
        return { ...record, userIdentity: identity, sourceIPAddress: '203.0.113.9' };
      },
    );
    expect(await run(replicate(dryRun, 30, (i) => START + i * 1000, 'dry'))).toEqual([]);
  });

  it('does not double count a redelivered event, in the same batch or a later one', async () => {
    const nineteen = burst(19);
    expect(await run([...nineteen, ...nineteen])).toEqual([]);
    expect(await run([...nineteen, ...nineteen], testConfig(), 1)).toEqual([]);
    const twenty = burst(20);
    const findings = await run([...twenty, ...twenty.slice(0, 10)], testConfig(), 3);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.count).toBe(20);
  });
});

describe('access-denied-spike: through the engine', () => {
  it('turns a burst of 60 denials into exactly one finding, the same for batches of 1, 7 and 500', async () => {
    const events = burst(60, START, 2000);
    const results = await Promise.all([1, 7, 500].map((size) => run(events, testConfig(), size)));
    const [one, seven, five] = results;
    expect(one).toHaveLength(1);
    expect(one?.[0]).toMatchObject({ count: 20, time: '2024-07-30T21:31:58.000Z' });
    expect(seven).toEqual(one);
    expect(five).toEqual(one);
  });

  it('orders denials stamped in the same second by event id, whatever the batching', async () => {
    // As in the capture, many denials share a second: 15 at …:20, 10 at …:21. Without an order inside the
    // second, a large batch would let the first …:21 event see all 25 and fire with a different count.
    const events = replicate(GET_PASSWORD_DATA, 25, (i) => START + Math.floor(i / 15) * 1000, 'same');
    const [one, five] = await Promise.all([run(events, testConfig(), 1), run(events, testConfig(), 500)]);
    expect(one).toHaveLength(1);
    expect(one?.[0]).toMatchObject({ count: 20, time: '2024-07-30T21:31:21.000Z' });
    expect(five).toEqual(one);
  });
});

describe('access-denied-spike: identities and evidence', () => {
  it('names the pipeline when the principal is an inventory role, and keeps severity high', async () => {
    const denied = derivedRecord('github-oidc-service-role-createrole-denied');
    const findings = await run(
      replicate([denied], 20, (i) => Date.parse('2025-04-16T02:48:05Z') + i * 1000, 'svc'),
      exampleConfig(),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'high',
      pipeline: 'cloud-snitch',
      environment: 'prod',
      principal:
        'arn:aws:iam::774305579662:role/cloud-snitch-github-actio-GithubActionsRoleF5CC769F-MoeCHSu77MYt',
      details: {
        actions: [{ value: 'iam:CreateRole', count: 20 }],
        resources: [{ value: 'roleName=stratus-red-team-malicious-iam-role', count: 20 }],
        errorCodes: [{ value: 'AccessDenied', count: 20 }],
      },
    });
    expect(findings[0]?.summary).toMatch(
      /^Pipeline cloud-snitch\/prod \(arn:aws:iam::774305579662:role\/cloud-snitch/,
    );
  });

  it('gives the OIDC subject when the principal is a web-identity provider', async () => {
    const denied = derivedRecord('github-oidc-denied-no-role-arn');
    const findings = await run(
      replicate([denied], 20, (i) => Date.parse('2025-04-16T02:46:56Z') + i * 3000, 'oidc'),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      principal: 'arn:aws:iam::774305579662:oidc-provider/token.actions.githubusercontent.com',
      subject: 'repo:attacker/cloud-snitch:ref:refs/heads/main',
      details: {
        actorType: 'WebIdentityUser',
        subjects: [{ value: 'repo:attacker/cloud-snitch:ref:refs/heads/main', count: 20 }],
        actions: [{ value: 'sts:AssumeRoleWithWebIdentity', count: 20 }],
      },
    });
  });

  it('takes the resource from the IAM message when the request has none (denied sts:AssumeRole)', async () => {
    const assume = corpusRecords(
      'access-denied/stratus-sts-assumerole-denied-then-allowed-iamuser.json',
    ).filter((record) => record.errorCode === 'AccessDenied');
    const findings = await run(replicate(assume, 20, (i) => START + i * 1000, 'sts'));
    expect(findings[0]).toMatchObject({
      principal: 'arn:aws:iam::457448411975:user/christophe',
      details: {
        resources: [
          { value: 'arn:aws:iam::457448411975:role/stratus-red-team-ec2-get-password-data-role', count: 20 },
        ],
      },
    });
  });

  it('counts callers without an ARN (a VPC endpoint denial by another account) under their key', async () => {
    const vpce = corpusRecords('access-denied/panther-vpceaccessdenied-network-activity-event.json');
    const findings = await run(replicate(vpce, 20, (i) => START + i * 1000, 'vpce'));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.details).toMatchObject({ actorType: 'AWSAccount' });
    expect(findings[0]?.principal).toBe(normalized(vpce[0] as JsonRecord).actor.key);
  });

  it('truncates long facet values', async () => {
    const records = [{ ...GET_PASSWORD_DATA[0], requestParameters: { bucketName: 'b'.repeat(400) } }];
    const findings = await run(replicate(records, 20, (i) => START + i * 1000, 'long'));
    const [resource] = (findings[0]?.details?.resources ?? []) as { value: string }[];
    expect(resource?.value).toHaveLength(200);
    expect(resource?.value.endsWith('…')).toBe(true);
  });

  it('never throws on records that lack fields', () => {
    const bare = burst(1)[0] as NormalizedEvent;
    const stripped: NormalizedEvent = {
      ...bare,
      errorMessage: undefined,
      requestParameters: undefined,
      credential: { kind: 'none' },
      actor: { type: 'Unknown', key: 'unknown' },
    };
    const observation = accessDeniedSpike.observe(stripped, contextOf(testConfig()));
    expect(observation?.count?.[0]).toEqual({
      key: 'unknown',
      facets: { action: 'ec2:GetPasswordData', errorCode: 'Client.UnauthorizedOperation' },
    });
  });
});

const contextOf = (resolved: ResolvedConfig) => detectorContext(accessDeniedSpike, resolved);

describe('access-denied-spike: the whole corpus', () => {
  it('judges every corpus record without a failure, with and without an inventory', async () => {
    const corpus = new URL('../fixtures/corpus/', import.meta.url);
    const events: NormalizedEvent[] = [];
    for (const category of readdirSync(corpus, { withFileTypes: true }).filter((e) => e.isDirectory())) {
      for (const file of readdirSync(new URL(`${category.name}/`, corpus)).filter((f) =>
        f.endsWith('.json'),
      )) {
        for (const record of corpusRecords(`${category.name}/${file}`)) {
          const result = normalizeRecord(record);
          if (result.ok) events.push(result.event);
        }
      }
    }
    expect(events.length).toBeGreaterThan(100);
    for (const resolved of [testConfig(), exampleConfig()]) {
      const engine = new DetectionEngine({
        detectors: [accessDeniedSpike],
        config: resolved,
        state: new MemoryState(),
        now: NOW,
      });
      await engine.process(events);
      expect([...engine.failures]).toEqual([]);
    }
  });
});
