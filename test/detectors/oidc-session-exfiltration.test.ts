import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { oidcSessionExfiltration } from '../../detectors/oidc-session-exfiltration.ts';
import type { ResolvedConfig } from '../../lib/config/resolved-config.ts';
import { DetectionEngine } from '../../lib/engine/detection-engine.ts';
import type { StateView } from '../../lib/engine/detector.ts';
import type { Finding } from '../../lib/engine/finding.ts';
import { normalizeRecord } from '../../lib/events/normalize.ts';
import type { NormalizedEvent } from '../../lib/events/normalized-event.ts';
import { MemoryState } from '../../lib/state/memory-state.ts';
import { EXAMPLE_PIPELINES, exampleConfig, testConfig } from '../helpers/config.ts';
import { corpusEvent, corpusRecords, derivedRecord, normalized, variant } from '../helpers/records.ts';
import { detectorContext } from '../helpers/stateful-run.ts';

const ID = oidcSessionExfiltration.id;
const SNITCH = corpusRecords('oidc/assume-role-with-web-identity-github-success-cloud-snitch.json')[0] ?? {};
const ROLE =
  'arn:aws:iam::774305579662:role/cloud-snitch-github-actio-GithubActionsRoleF5CC769F-MoeCHSu77MYt';
const KEY = 'ASIA3ISBVQKHJOCMRQJH';
const RUNNER_IP = '52.154.133.36';
/** An IAM write the cloud-snitch session made from the runner, 02:48:10 (assumed 02:46:56, expires 03:46:56). */
const FROM_RUNNER = derivedRecord('github-oidc-service-role-attachrolepolicy-admin');
/** A secrets read with the same key from 198.51.100.7 at 02:58:31. */
const FROM_ELSEWHERE = derivedRecord('github-oidc-session-secretsmanager-batchgetsecretvalue-elsewhere');
const NOW = Date.parse('2025-04-20T00:00:00Z');

type Change = Parameters<typeof variant>[1];
type JsonRecord = Record<string, unknown>;

let serial = 0;
/** A copy of `record` with a fresh eventID, optionally another time, and a change. */
function copyOf(record: JsonRecord, time?: string, change?: Change): NormalizedEvent {
  return variant(record, (copy) => {
    copy.eventID = `exfil-test-${++serial}`;
    if (time !== undefined) copy.eventTime = time;
    change?.(copy);
  });
}

const fromIp = (ip: string, time?: string) =>
  copyOf(FROM_ELSEWHERE, time, (copy) => {
    copy.sourceIPAddress = ip;
  });

/** Runs batches through a fresh engine with only this detector; returns its findings and the engine. */
async function run(batches: NormalizedEvent[][], config: ResolvedConfig = testConfig()) {
  const engine = new DetectionEngine({
    detectors: [oidcSessionExfiltration],
    config,
    state: new MemoryState(),
    now: NOW,
  });
  const findings: Finding[] = [];
  for (const batch of batches) findings.push(...(await engine.process(batch)));
  expect(engine.failures.size).toBe(0);
  return { findings, engine };
}

/** The assumption, then each use in its own batch. */
async function afterIssue(uses: NormalizedEvent[], config?: ResolvedConfig, issue = normalized(SNITCH)) {
  return (await run([[issue], ...uses.map((use) => [use])], config)).findings;
}

/** The example inventory with the cloud-snitch pipeline changed. */
function snitchPipeline(change: Record<string, unknown>): ResolvedConfig {
  const [snitch, ...rest] = EXAMPLE_PIPELINES;
  return testConfig({ pipelines: [{ ...snitch, ...change }, ...rest] });
}

describe('oidc-session-exfiltration: where the key is used', () => {
  it('stays quiet for calls from the runner that exchanged the token (the real session, its own IP)', async () => {
    expect(await afterIssue([copyOf(FROM_RUNNER)])).toEqual([]);
    expect(await afterIssue([copyOf(FROM_RUNNER)], exampleConfig())).toEqual([]);
  });

  it('is high when the key is used from another address (no inventory)', async () => {
    const [finding, ...rest] = await afterIssue([copyOf(FROM_RUNNER), copyOf(FROM_ELSEWHERE)]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      detector: ID,
      severity: 'high',
      principal: ROLE,
      subject: 'repo:ccbrown/cloud-snitch:ref:refs/heads/main',
      time: '2025-04-16T02:58:31.000Z',
      account: '774305579662',
    });
    expect(finding?.pipeline).toBeUndefined();
    expect(finding?.summary).toContain('198.51.100.7');
    expect(finding?.summary).toContain('secretsmanager:BatchGetSecretValue');
    expect(finding?.details).toMatchObject({
      accessKeyId: KEY,
      action: 'secretsmanager:BatchGetSecretValue',
      issuedFrom: RUNNER_IP,
      usedFrom: '198.51.100.7',
      issuedUserAgent: expect.stringContaining('configure-aws-credentials-for-github-actions'),
      userAgent: expect.stringContaining('stratus-red-team'),
      networksConfigured: false,
      issuedAt: '2025-04-16T02:46:56.000Z',
      expiresAt: '2025-04-16T03:46:56.000Z',
    });
  });

  it('is critical for a production pipeline, high for another one', async () => {
    const [prod] = await afterIssue([copyOf(FROM_ELSEWHERE)], exampleConfig());
    expect(prod).toMatchObject({ severity: 'critical', pipeline: 'cloud-snitch', environment: 'prod' });
    expect(prod?.summary).toContain('pipeline cloud-snitch/prod');
    const [staging] = await afterIssue([copyOf(FROM_ELSEWHERE)], snitchPipeline({ environment: 'staging' }));
    expect(staging).toMatchObject({ severity: 'high', pipeline: 'cloud-snitch', environment: 'staging' });
  });

  it('reports a denied call from elsewhere too: the stolen key was tried', async () => {
    const denied = copyOf(FROM_ELSEWHERE, undefined, (copy) => {
      copy.errorCode = 'AccessDeniedException';
      copy.errorMessage = 'User is not authorized to perform: secretsmanager:BatchGetSecretValue';
    });
    const [finding] = await afterIssue([denied]);
    expect(finding?.details).toMatchObject({ outcome: 'denied', errorCode: 'AccessDeniedException' });
  });

  it('raises one finding per stolen credential: five uses from elsewhere fold into the first', async () => {
    const times = ['02:58:31', '03:01:00', '03:10:00', '03:30:00', '03:46:00'];
    const uses = times.map((time, index) => fromIp(`198.51.100.${7 + index}`, `2025-04-16T${time}Z`));
    const { findings, engine } = await run([[normalized(SNITCH)], ...uses.map((use) => [use])]);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.eventIds).toEqual([uses[0]?.id]);
    expect(engine.folded.get(ID)).toBe(4);
  });

  it('compares addresses, not spellings (IPv4-mapped IPv6 of the runner is the runner)', async () => {
    expect(await afterIssue([fromIp(`::ffff:${RUNNER_IP}`)])).toEqual([]);
    expect(await afterIssue([fromIp('2001:db8::7')])).toHaveLength(1);
  });
});

describe('oidc-session-exfiltration: calls that are not evidence', () => {
  it('ignores calls a service makes on the session’s behalf (invokedBy, service name as source)', async () => {
    const cloudformation = copyOf(FROM_ELSEWHERE, undefined, (copy) => {
      copy.userIdentity.invokedBy = 'cloudformation.amazonaws.com';
      copy.sourceIPAddress = 'cloudformation.amazonaws.com';
      copy.userAgent = 'cloudformation.amazonaws.com';
    });
    const invokedByOnly = copyOf(FROM_ELSEWHERE, undefined, (copy) => {
      copy.userIdentity.invokedBy = 'cloudformation.amazonaws.com';
    });
    const serviceSourceOnly = fromIp('cloudformation.amazonaws.com');
    for (const use of [cloudformation, invokedByOnly, serviceSourceOnly])
      expect(await afterIssue([use])).toEqual([]);
  });

  it('ignores calls through a VPC endpoint (the source is a private address)', async () => {
    const viaEndpoint = copyOf(FROM_ELSEWHERE, undefined, (copy) => {
      copy.vpcEndpointId = 'vpce-0a1b2c3d4e5f67890';
      copy.sourceIPAddress = '10.0.3.17';
    });
    expect(await afterIssue([viaEndpoint])).toEqual([]);
  });

  it.each([['AWS Internal'], ['not-an-ip'], ['198.51.100.7, 10.0.0.1'], ['225.01.00.16']])(
    'ignores a source address that is not an IP: %j',
    async (address) => {
      expect(await afterIssue([fromIp(address)])).toEqual([]);
    },
  );

  it('ignores the key once the credentials have expired (03:46:56)', async () => {
    expect(await afterIssue([fromIp('198.51.100.7', '2025-04-16T03:46:57Z')])).toEqual([]);
    expect(await afterIssue([fromIp('198.51.100.7', '2025-04-16T03:46:55Z')])).toHaveLength(1);
  });

  it('ignores keys never issued by a CI exchange: an ordinary AssumeRole session', async () => {
    const file = 'guardrail/stratus-organizations-leaveorganization-denied-after-assumerole.json';
    const records = corpusRecords(file).map((record) => normalized(record));
    const session = records.find((event) => event.credential.kind === 'temporary');
    expect(session?.credential.accessKeyId).toBe('ASIA36EV31F1RB3OA8IG');
    const elsewhere = copyOf(corpusRecords(file)[1] ?? {}, undefined, (copy) => {
      copy.sourceIPAddress = '198.51.100.7';
    });
    expect((await run([records, [elsewhere]])).findings).toEqual([]);
  });

  it('ignores a denied exchange (no credentials were issued)', async () => {
    const denied = normalized(derivedRecord('github-oidc-denied-foreign-repo'));
    expect(await afterIssue([copyOf(FROM_ELSEWHERE)], testConfig(), denied)).toEqual([]);
  });
});

describe('oidc-session-exfiltration: pipeline networks', () => {
  it('stays quiet inside the networks, even away from the exchange address (runners behind NAT pools)', async () => {
    const config = snitchPipeline({ networks: ['52.154.0.0/16', '198.51.100.0/24'] });
    expect(await afterIssue([copyOf(FROM_ELSEWHERE), fromIp('52.154.9.9')], config)).toEqual([]);
  });

  it('fires outside the networks and says so', async () => {
    const config = snitchPipeline({ networks: ['52.154.0.0/16'] });
    const [finding] = await afterIssue([copyOf(FROM_RUNNER), copyOf(FROM_ELSEWHERE)], config);
    expect(finding).toMatchObject({ severity: 'critical', pipeline: 'cloud-snitch' });
    expect(finding?.summary).toContain('outside the networks of pipeline cloud-snitch');
    expect(finding?.details).toMatchObject({ networksConfigured: true, networks: ['52.154.0.0/16'] });
  });

  it('judges by the networks alone: the exchange address itself outside them fires', async () => {
    const config = snitchPipeline({ networks: ['198.51.100.0/24'] });
    const [finding] = await afterIssue([copyOf(FROM_RUNNER)], config);
    expect(finding?.details).toMatchObject({ issuedFrom: RUNNER_IP, usedFrom: RUNNER_IP });
  });

  it('matches IPv6 runner networks', async () => {
    const config = snitchPipeline({ networks: ['52.154.0.0/16', '2001:db8:100::/48'] });
    expect(await afterIssue([fromIp('2001:db8:100::5')], config)).toEqual([]);
    expect(await afterIssue([fromIp('2001:db8:999::5')], config)).toHaveLength(1);
  });

  it('never sees malformed blocks: the config rejects them', () => {
    expect(() => snitchPipeline({ networks: ['999.0.0.0/8'] })).toThrow(/CIDR/);
  });

  it('with compareExchangeIp off, only networks decide', async () => {
    const off = { detectors: { [ID]: { compareExchangeIp: false } } };
    expect(await afterIssue([copyOf(FROM_ELSEWHERE)], testConfig(off))).toEqual([]);
    const withNetworks = testConfig({
      ...off,
      pipelines: [{ ...EXAMPLE_PIPELINES[0], networks: ['52.154.0.0/16'] }],
    });
    expect(await afterIssue([copyOf(FROM_ELSEWHERE)], withNetworks)).toHaveLength(1);
  });
});

describe('oidc-session-exfiltration: state', () => {
  it('gives the same findings for the exchange and its uses in one batch or in separate batches', async () => {
    const events = [normalized(SNITCH), copyOf(FROM_RUNNER), copyOf(FROM_ELSEWHERE), fromIp('198.51.100.99')];
    const together = (await run([events])).findings;
    const apart = (await run(events.map((event) => [event]))).findings;
    expect(together).toHaveLength(1);
    expect(apart).toEqual(together);
  });

  it('keeps the issuance for the requested duration when the expiry is unreadable, else 1h, at most 12h', async () => {
    const lifetime = (durationSeconds: unknown, expiration?: string) =>
      variant(SNITCH, (copy) => {
        copy.requestParameters.durationSeconds = durationSeconds;
        if (expiration === undefined) delete copy.responseElements.credentials.expiration;
        else copy.responseElements.credentials.expiration = expiration;
      });
    const at = (time: string) => fromIp('198.51.100.7', `2025-04-16T${time}Z`);
    // 15 minutes: 02:46:56 → 03:01:56.
    expect(await afterIssue([at('03:01:50')], testConfig(), lifetime(900))).toHaveLength(1);
    expect(await afterIssue([at('03:02:00')], testConfig(), lifetime(900))).toEqual([]);
    // Neither: an hour.
    expect(await afterIssue([at('03:46:50')], testConfig(), lifetime(undefined))).toHaveLength(1);
    expect(await afterIssue([at('03:47:00')], testConfig(), lifetime('garbage'))).toEqual([]);
    // A (hostile) 24h expiry is capped at STS's 12h maximum.
    const day = lifetime(3600, 'Apr 17, 2025, 2:46:56 AM');
    expect(await afterIssue([at('14:46:50')], testConfig(), day)).toHaveLength(1);
    expect(await afterIssue([at('14:47:00')], testConfig(), day)).toEqual([]);
  });

  it('remembers exchanges by issuers the inventory configures, and no other OIDC issuer', async () => {
    const ghes = 'arn:aws:iam::774305579662:oidc-provider/ghes.example.com/_services/token';
    const eks = 'arn:aws:iam::774305579662:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123';
    const viaProvider = (provider: string) =>
      variant(SNITCH, (copy) => {
        copy.userIdentity.identityProvider = provider;
        copy.userIdentity.principalId = `${provider}:sts.amazonaws.com:${copy.userIdentity.userName}`;
        copy.responseElements.provider = provider;
      });
    const configured = snitchPipeline({
      oidc: { provider: 'github', issuer: 'ghes.example.com/_services/token', subjects: [] },
    });
    expect(await afterIssue([copyOf(FROM_ELSEWHERE)], configured, viaProvider(ghes))).toHaveLength(1);
    expect(await afterIssue([copyOf(FROM_ELSEWHERE)], testConfig(), viaProvider(ghes))).toEqual([]);
    expect(await afterIssue([copyOf(FROM_ELSEWHERE)], configured, viaProvider(eks))).toEqual([]);
  });

  it('ignores a use timed before the exchange', async () => {
    expect(await afterIssue([fromIp('198.51.100.7', '2025-04-16T02:40:00Z')])).toEqual([]);
  });

  it('observes only exchanges and session-key calls; everything else returns undefined at once', () => {
    const context = detectorContext(oidcSessionExfiltration, testConfig());
    const observe = (event: NormalizedEvent) => oidcSessionExfiltration.observe(event, context);
    expect(
      observe(corpusEvent('long-lived-key/stratus-lambda-updatefunctioncode-iamuser.json')),
    ).toBeUndefined();
    expect(
      observe(corpusEvent('benign/cloud-snitch-s3-log-file-222-mixed-service-traffic.json', 1)),
    ).toBeUndefined();
    expect(
      observe(corpusEvent('benign/cloud-snitch-s3-log-file-222-mixed-service-traffic.json', 3)),
    ).toBeUndefined();
    expect(observe(copyOf(FROM_ELSEWHERE))).toEqual({ recall: [`issued:${KEY}`], onlyIfRecalled: true });
    const remembered = observe(normalized(SNITCH))?.remember?.[0];
    // The credentials' hour, plus 12 hours for the sessions chained from them (the value's expiresAt still
    // bounds the runner's own key).
    expect(remembered).toMatchObject({ key: `issued:${KEY}`, ttlMs: 3_600_000 + 12 * 3_600_000 });
    expect(JSON.parse(remembered?.value ?? '{}')).toEqual({
      sourceIp: RUNNER_IP,
      userAgent: SNITCH.userAgent,
      roleArn: ROLE,
      subject: 'repo:ccbrown/cloud-snitch:ref:refs/heads/main',
      issuedAt: Date.parse('2025-04-16T02:46:56Z'),
      expiresAt: Date.parse('2025-04-16T03:46:56Z'),
    });
  });

  it('folds repeats for the remaining credential lifetime, and never trusts a value past its expiry', () => {
    const context = detectorContext(oidcSessionExfiltration, testConfig());
    const value = (expiresAt: string) =>
      JSON.stringify({
        sourceIp: RUNNER_IP,
        issuedAt: Date.parse('2025-04-16T02:46:56Z'),
        expiresAt: Date.parse(expiresAt),
      });
    const judge = (expiresAt: string) =>
      oidcSessionExfiltration.judge(
        copyOf(FROM_ELSEWHERE),
        { entries: () => [], recalled: () => value(expiresAt) },
        context,
      );
    // Used at 02:58:31, expiring 03:46:56: 48m25s left.
    expect(judge('2025-04-16T03:46:56Z')).toMatchObject({ key: KEY, cooldownMs: (48 * 60 + 25) * 1000 });
    expect(judge('2025-04-16T02:58:31Z')).toBeUndefined();
  });

  it('judges nothing from a remembered value it cannot read', () => {
    const context = detectorContext(oidcSessionExfiltration, testConfig());
    for (const value of ['not json', 'null', '[]', '{"issuedAt":"x"}', '{}']) {
      const state: StateView = { entries: () => [], recalled: () => value };
      expect(oidcSessionExfiltration.judge(copyOf(FROM_ELSEWHERE), state, context)).toBeUndefined();
    }
  });
});

describe('oidc-session-exfiltration: contract', () => {
  it('follows the detector conventions', () => {
    expect(oidcSessionExfiltration.kind).toBe('stateful');
    const steps = oidcSessionExfiltration.runbook.split('\n');
    expect(steps.length).toBeGreaterThanOrEqual(3);
    expect(steps.length).toBeLessThanOrEqual(5);
    for (const [index, step] of steps.entries()) expect(step.startsWith(`${index + 1}. `)).toBe(true);
    expect(oidcSessionExfiltration.runbook).toContain('trailguard query session --access-key-id');
    expect(oidcSessionExfiltration.needs).toEqual([{ source: '*', readOnly: true }]);
    expect(oidcSessionExfiltration.params.parse({})).toEqual({ compareExchangeIp: true });
    expect(testConfig().detectors[ID]).toMatchObject({ enabled: true, compareExchangeIp: true });
    const context = detectorContext(oidcSessionExfiltration, testConfig());
    expect(oidcSessionExfiltration.lookback(context)).toBe(0);
  });

  it('never throws on any corpus record, with or without an inventory', async () => {
    const corpus = new URL('../fixtures/corpus/', import.meta.url);
    const events: NormalizedEvent[] = [];
    for (const category of readdirSync(corpus, { withFileTypes: true }).filter((entry) =>
      entry.isDirectory(),
    )) {
      for (const name of readdirSync(new URL(`${category.name}/`, corpus)).filter((n) =>
        n.endsWith('.json'),
      )) {
        for (const record of corpusRecords(`${category.name}/${name}`)) {
          const result = normalizeRecord(record);
          if (result.ok) events.push(result.event);
        }
      }
    }
    events.sort((a, b) => a.time - b.time);
    for (const config of [testConfig(), exampleConfig()]) {
      const { engine } = await run([events], config);
      expect(engine.eventsJudged).toBe(events.length);
    }
  });
});
