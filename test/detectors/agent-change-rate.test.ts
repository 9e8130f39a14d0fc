import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agentChangeRate } from '../../detectors/agent-change-rate.ts';
import type { ResolvedConfig } from '../../lib/config/resolved-config.ts';
import { DetectionEngine } from '../../lib/engine/detection-engine.ts';
import { normalizeRecord } from '../../lib/events/normalize.ts';
import type { NormalizedEvent } from '../../lib/events/normalized-event.ts';
import { MemoryState } from '../../lib/state/memory-state.ts';
import { EXAMPLE_PIPELINES, testConfig } from '../helpers/config.ts';
import { corpusRecords, derivedEvent, derivedRecord, normalized, variant } from '../helpers/records.ts';
import { detectorContext, replicate, runDetector } from '../helpers/stateful-run.ts';

type JsonRecord = Record<string, unknown>;

const NOW = Date.parse('2026-11-26T00:00:00Z');

const MINUTE = 60_000;

const SERIAL = corpusRecords('mutation-burst/stratus-serial-console-enable-and-send-keys-assumedrole.json');
const SSO_ROLE =
  'arn:aws:iam::844015365555:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_account-admin_599c9e90e350d2ff';
/** The inventory names roles without their IAM path; matching is by account and name. */
const SERIAL_AGENT = {
  name: 'ops-agent',
  role: 'arn:aws:iam::844015365555:role/AWSReservedSSO_account-admin_599c9e90e350d2ff',
  kind: 'agent',
  environment: 'prod',
};
const AGENT_ROLE = 'arn:aws:iam::774305579662:role/ai-agent';
const CREATE_ROLE = derivedRecord('agent-session-iam-createrole');
const CFN_CREATE_ROLE = derivedRecord('agent-cloudformation-iam-createrole-on-behalf');

/** `count` copies of real records (cycling), `stepMs` apart from `start`, each with its own eventID. */
const series = (records: readonly JsonRecord[], count: number, start: number, stepMs: number, tag: string) =>
  replicate(records, count, (i) => start + i * stepMs, tag);

const SERIAL_START = Date.parse('2024-11-26T15:35:22Z');
const enableSerial = (count: number, stepMs = 1000) =>
  series([SERIAL[0] as JsonRecord], count, SERIAL_START, stepMs, 'esc');
const CREATE_START = Date.parse('2025-04-16T03:10:00Z');
const createRoles = (count: number, tag = 'cr') => series([CREATE_ROLE], count, CREATE_START, 1000, tag);

/** Through the real engine and in-memory state, in event-time order, `batch` events per call. */
const run = (events: readonly NormalizedEvent[], config: ResolvedConfig, batch = 500) =>
  runDetector(agentChangeRate, events, config, batch);

function config(pipelines: readonly unknown[], params: Record<string, unknown> = {}): ResolvedConfig {
  return testConfig({ pipelines, detectors: { 'agent-change-rate': params } });
}

const contextOf = (resolved: ResolvedConfig) => detectorContext(agentChangeRate, resolved);

describe('agent-change-rate: the change budget', () => {
  it('allows maxChanges writes per window and fires on one more (inventory agent, real serial-console record)', async () => {
    const agents = config([SERIAL_AGENT]);
    expect(await run(enableSerial(10), agents)).toEqual([]);
    const findings = await run(enableSerial(11), agents);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      detector: 'agent-change-rate',
      severity: 'high',
      title: 'Agent exceeded its change budget',
      principal: SSO_ROLE,
      pipeline: 'ops-agent',
      environment: 'prod',
      count: 11,
      time: '2024-11-26T15:35:32.000Z',
      firstSeen: '2024-11-26T15:35:22.000Z',
      lastSeen: '2024-11-26T15:35:32.000Z',
      details: {
        budget: 'changes',
        limit: 10,
        window: '1h',
        changes: 11,
        recognisedBy: 'inventory',
        actions: [{ value: 'ec2:EnableSerialConsoleAccess', count: 11 }],
        denied: 0,
      },
    });
    expect(findings[0]?.eventIds).toHaveLength(11);
    expect(findings[0]?.summary).toBe(`Agent ops-agent/prod (${SSO_ROLE}) made 11 changes in 1h (budget 10)`);
  });

  it('applies a pipeline’s own maxChanges to the real four-call detonation', async () => {
    const events = SERIAL.map(normalized);
    expect(await run(events, config([SERIAL_AGENT]))).toEqual([]);
    const findings = await run(events, config([{ ...SERIAL_AGENT, limits: { maxChanges: 3 } }]));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ count: 4, details: { limit: 3 } });
    expect(findings[0]?.details?.actions).toEqual([
      { value: 'ec2-instance-connect:SendSerialConsoleSSHPublicKey', count: 3 },
      { value: 'ec2:EnableSerialConsoleAccess', count: 1 },
    ]);
  });

  it('applies a pipeline’s own window, and looks back the longest window', async () => {
    // 11 writes 10 minutes apart: at most 6 in any hour, all 11 within two hours.
    const spread = enableSerial(11, 10 * MINUTE);
    expect(await run(spread, config([SERIAL_AGENT]))).toEqual([]);
    const wide = config([{ ...SERIAL_AGENT, limits: { window: '2h' } }]);
    expect(agentChangeRate.lookback(contextOf(wide))).toBe(120 * MINUTE);
    const findings = await run(spread, wide);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ count: 11, details: { window: '2h' } });
    expect(agentChangeRate.lookback(contextOf(config([])))).toBe(60 * MINUTE);
  });

  it('raises a runaway burst once, although its tail stays over budget while the agent keeps working', async () => {
    // Background: one write every 12 minutes for three hours (5 an hour, within budget). At 0:42 the agent
    // runs away for 25 minutes. Background writes after the first cooldown still see the burst's tail.
    const background = series([SERIAL[0] as JsonRecord], 15, SERIAL_START, 12 * MINUTE, 'bg');
    const runaway = series([SERIAL[1] as JsonRecord], 25, SERIAL_START + 42 * MINUTE, MINUTE, 'run');
    const findings = await run([...background, ...runaway], config([SERIAL_AGENT]));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ count: 11, time: '2024-11-26T16:23:22.000Z' });
  });

  it('counts denied attempts too', async () => {
    const denied = variant(CREATE_ROLE, (record) => {
      record.errorCode = 'AccessDenied';
      record.errorMessage = `User: arn:aws:sts::774305579662:assumed-role/ai-agent/change-agent-run-42 is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::774305579662:role/stratus-red-team-malicious-iam-role`;
    });
    const events = Array.from({ length: 11 }, (_, i) => ({
      ...denied,
      id: `denied-${i}`,
      time: CREATE_START + i * 1000,
    }));
    const findings = await run(events, config(EXAMPLE_PIPELINES));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.details).toMatchObject({ denied: 11 });
  });
});

describe('agent-change-rate: the IAM budget', () => {
  it('counts IAM writes against maxIamChanges under its own key', async () => {
    const strict = config(EXAMPLE_PIPELINES, { maxIamChanges: 2 });
    expect(await run(createRoles(2), strict)).toEqual([]);
    const findings = await run(createRoles(3), strict);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      title: 'Agent exceeded its IAM change budget',
      principal: AGENT_ROLE,
      pipeline: 'change-agent',
      count: 3,
      details: {
        budget: 'iam',
        limit: 2,
        changes: 3,
        sessions: [{ value: 'change-agent-run-42', count: 3 }],
        accessKeys: [{ value: 'ASIA3ISBVQKHAGENT042', count: 3 }],
      },
    });
  });

  it('has no IAM budget unless one is set', async () => {
    expect(await run(createRoles(10), config(EXAMPLE_PIPELINES))).toEqual([]);
  });

  it('lets a pipeline’s maxIamChanges override the parameter', async () => {
    const pipelines = EXAMPLE_PIPELINES.map((p) =>
      p.name === 'change-agent' ? { ...p, limits: { maxIamChanges: 1 } } : p,
    );
    const findings = await run(createRoles(2), config(pipelines, { maxIamChanges: 5 }));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.details).toMatchObject({ budget: 'iam', limit: 1 });
  });

  it('raises both budgets when both are crossed, each at its own crossing, whatever the batching', async () => {
    const both = config(EXAMPLE_PIPELINES, { maxIamChanges: 2, maxChanges: 4 });
    const events = createRoles(8);
    const results = await Promise.all([1, 7, 500].map((size) => run(events, both, size)));
    const [one] = results;
    expect(one?.map((f) => [f.title, f.count, f.time])).toEqual([
      ['Agent exceeded its IAM change budget', 3, '2025-04-16T03:10:02.000Z'],
      ['Agent exceeded its change budget', 5, '2025-04-16T03:10:04.000Z'],
    ]);
    for (const other of results) expect(other).toEqual(one);
  });
});

describe('agent-change-rate: who is an agent', () => {
  const SSM = corpusRecords('mutation-burst/stratus-ssm-startsession-terminatesession-burst-iamuser.json');

  it('recognises a session by user agent (case-insensitive) without an inventory entry (real SSM burst)', async () => {
    const events = SSM.map(normalized);
    const byAgent = config([], { userAgents: ['STRATUS-RED-TEAM_*'], maxChanges: 5 });
    const findings = await run(events, byAgent);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      principal: 'arn:aws:iam::294599468799:user/christophe',
      count: 6,
      details: { recognisedBy: 'userAgent', limit: 5 },
    });
    expect(findings[0]?.pipeline).toBeUndefined();
    expect(await run(events, config([], { userAgents: ['stratus-red-team_*'], maxChanges: 6 }))).toEqual([]);
    expect(await run(events, config([], { userAgents: ['claude-code/*'], maxChanges: 5 }))).toEqual([]);
    const mixedCase = SSM.map((record) => ({ ...record, userAgent: 'Claude-Code/2.0.14 aws-cli/2.27.3' }));
    const byName = await run(
      mixedCase.map(normalized),
      config([], { userAgents: ['claude-code/*'], maxChanges: 5 }),
    );
    expect(byName).toHaveLength(1);
  });

  it('recognises a session by sourceIdentity', async () => {
    const tagged = SERIAL.map((record) =>
      variant(record, (copy) => {
        copy.userIdentity.sessionContext.sourceIdentity = 'agent-ops@example.com';
      }),
    );
    const findings = await run(tagged, config([], { sourceIdentities: ['agent-*'], maxChanges: 3 }));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.details).toMatchObject({ recognisedBy: 'sourceIdentity' });
    expect(await run(tagged, config([], { sourceIdentities: ['bot-*'], maxChanges: 3 }))).toEqual([]);
    // The session name is not a source identity.
    expect(await run(SERIAL.map(normalized), config([], { sourceIdentities: ['*'], maxChanges: 3 }))).toEqual(
      [],
    );
  });

  it('ignores principals that are not agents: service pipelines, and anyone without an inventory or patterns', async () => {
    const service = series(
      [derivedRecord('github-oidc-service-role-createrole-denied')],
      20,
      CREATE_START,
      1000,
      'svc',
    );
    expect(await run(service, config(EXAMPLE_PIPELINES))).toEqual([]);
    expect(await run(enableSerial(20), config([]))).toEqual([]);
    expect(await run(enableSerial(20), config(EXAMPLE_PIPELINES))).toEqual([]);
  });
});

describe('agent-change-rate: what counts as a change', () => {
  it('ignores read-only calls (real Bedrock detonation: three writes and an InvokeModel)', async () => {
    const bedrock = corpusRecords(
      'mutation-burst/stratus-bedrock-entitlement-agreement-invoke-assumedrole.json',
    );
    const pipeline = {
      name: 'bedrock-agent',
      role: 'arn:aws:iam::494659789341:role/test-role',
      kind: 'agent',
    };
    const events = bedrock.map(normalized);
    expect(await run(events, config([{ ...pipeline, limits: { maxChanges: 3 } }]))).toEqual([]);
    const findings = await run(events, config([{ ...pipeline, limits: { maxChanges: 2 } }]));
    expect(findings).toHaveLength(1);
    expect(findings[0]?.count).toBe(3);
    const invoke = events.find((event) => event.name === 'InvokeModel') as NormalizedEvent;
    expect(invoke.readOnly).toBe(true);
    expect(agentChangeRate.observe(invoke, contextOf(config([pipeline])))).toBeUndefined();
    expect(agentChangeRate.needs).toEqual([{ source: '*' }]);
  });

  it('ignores data events (Lambda Invoke is readOnly false but not a management event)', async () => {
    const invoke = derivedRecord('agent-session-lambda-invoke-data-event');
    const events = series([invoke], 20, Date.parse('2025-04-16T03:11:00Z'), 1000, 'inv');
    expect(events[0]).toMatchObject({ readOnly: false, management: false, invokedBy: undefined });
    expect(await run(events, config(EXAMPLE_PIPELINES, { maxChanges: 1 }))).toEqual([]);
  });

  it('counts calls CloudFormation makes with the agent’s credentials as one change, not many', async () => {
    const strict = config(EXAMPLE_PIPELINES, { maxChanges: 1 });
    const cfn = series([CFN_CREATE_ROLE], 20, CREATE_START + 1000, 1000, 'cfn');
    expect(cfn[0]).toMatchObject({ invokedBy: 'cloudformation.amazonaws.com', viaAwsService: true });
    expect(await run([...createRoles(1), ...cfn], strict)).toEqual([]);
    // invokedBy alone (a service call whose source address is an IP) is enough.
    const invokedOnly = createRoles(5, 'inv').map((event) => ({
      ...event,
      invokedBy: 'cloudformation.amazonaws.com',
    }));
    expect(await run(invokedOnly, strict)).toEqual([]);
    // So is a service source address alone.
    const fromService = createRoles(5, 'addr').map((event) => ({ ...event, viaAwsService: true }));
    expect(await run(fromService, strict)).toEqual([]);
    // Control: the same agent's own writes do count.
    expect(await run(createRoles(2), strict)).toHaveLength(1);
  });

  it('counts each IAM write CloudFormation makes for the agent to its IAM budget, as with a service role', async () => {
    const strict = config(EXAMPLE_PIPELINES, { maxChanges: 100, maxIamChanges: 3 });
    const cfn = series([CFN_CREATE_ROLE], 4, CREATE_START + 1000, 1000, 'cfn');
    const findings = await run(cfn, strict);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ title: 'Agent exceeded its IAM change budget', count: 4 });
    // A service source address without CloudFormation's name is some other service's follow-up.
    const fromService = createRoles(5, 'addr').map((event) => ({ ...event, viaAwsService: true }));
    expect(await run(fromService, strict)).toEqual([]);
    expect(await run(cfn.slice(0, 3), strict)).toEqual([]);
  });

  it('never throws on events that lack fields', () => {
    const bare = derivedEvent('agent-session-iam-createrole');
    const stripped: NormalizedEvent = {
      ...bare,
      userAgent: undefined,
      actor: { type: 'Unknown', key: 'unknown' },
      credential: { kind: 'none' },
    };
    const withPatterns = contextOf(config(EXAMPLE_PIPELINES, { userAgents: ['*'], sourceIdentities: ['*'] }));
    expect(agentChangeRate.observe(stripped, withPatterns)).toBeUndefined();
    expect(agentChangeRate.observe({ ...stripped, userAgent: 'anything' }, withPatterns)?.count?.[0]).toEqual(
      { key: 'unknown', facets: { action: 'iam:CreateRole', outcome: 'success' } },
    );
  });
});

describe('agent-change-rate: the whole corpus', () => {
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
    for (const resolved of [testConfig(), testConfig({ pipelines: EXAMPLE_PIPELINES })]) {
      const engine = new DetectionEngine({
        detectors: [agentChangeRate],
        config: resolved,
        state: new MemoryState(),
        now: NOW,
      });
      await engine.process(events);
      expect([...engine.failures]).toEqual([]);
    }
  });
});
