import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { detectors } from '../../detectors/index.ts';
import { parseConfigText } from '../../lib/config/load-config.ts';
import { DetectionEngine } from '../../lib/engine/detection-engine.ts';
import { atLeast, type Finding } from '../../lib/engine/finding.ts';
import { replay } from '../../lib/engine/replay.ts';
import { readCloudTrail } from '../../lib/ingest/read-cloudtrail.ts';
import { DynamoDbState } from '../../lib/state/dynamodb-state.ts';
import { LOCAL_AWS_ENV, localClient } from '../helpers/dynamodb-local.ts';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.ts';
import { REPO_ROOT, runCli } from '../helpers/run-cli.ts';
import { sharedDynamoDb, TestTables } from '../helpers/shared-dynamodb.ts';
import { accepted, type SlackServer, startSlackServer } from '../helpers/slack-server.ts';
import { type SnsEmulator, startSnsEmulator } from '../helpers/sns-emulator.ts';
import { SYNTHETIC_CONFIG, syntheticTrail } from '../helpers/synthetic-trail.ts';
import { writeS3Trail } from '../helpers/write-s3-trail.ts';
import { claimItems, counterMembers, reportFigures } from './fault-tables.ts';

/**
 * `trailguard detect --state dynamodb:TABLE --notify` killed (SIGKILL) mid-replay, after it claimed
 * findings and before it handed them to the outbox, then started again with the same command: counters
 * end as a clean single run leaves them, and every finding reaches Slack and SNS exactly once.
 */

const BIN = fileURLToPath(new URL('../../bin/trailguard.mjs', import.meta.url));
const NOW = '2026-11-26T00:00:00Z';
const TOKEN = 'xoxb-5555-6666-killedreplay';

let endpoint: string;
let admin: DynamoDBClient;
let slack: SlackServer;
let sns: SnsEmulator;
let proxy: FaultProxy;
let dir: string;
let trail: string;
const tables = new TestTables(() => admin);

beforeAll(async () => {
  endpoint = await sharedDynamoDb();
  admin = localClient(endpoint);
  [slack, sns, proxy] = await Promise.all([
    startSlackServer(),
    startSnsEmulator('killed-replay'),
    startFaultProxy({ target: endpoint, seed: 17 }),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'tg-killed-'));
  trail = join(dir, 'trail');
  // Six hours (about 1,900 records, four engine batches) with one attack per detector mid-way.
  await writeS3Trail(syntheticTrail({ seed: 23, hours: 6, attacks: true }), trail);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await tables.deleteAll();
  await Promise.all([slack.close(), sns.stop(), proxy.close()]);
  admin.destroy();
  await rm(dir, { recursive: true, force: true });
});

/** The clean single run, in process: its findings and the counters it leaves. */
async function cleanRun(): Promise<{ findings: Finding[]; table: string }> {
  const name = await tables.create('killed-clean');
  const config = parseConfigText(SYNTHETIC_CONFIG, 'synthetic.yaml');
  const state = new DynamoDbState({ client: admin, table: name });
  const engine = new DetectionEngine({ detectors, config, now: Date.parse(NOW), state });
  const findings: Finding[] = [];
  await replay(readCloudTrail([trail]), engine, { onFindings: (f) => void findings.push(...f) });
  await engine.confirm(findings);
  return { findings, table: name };
}

function countIds(texts: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const id of new Set(text.match(/tg-[0-9a-f]{20}/g) ?? [])) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe('a replay killed mid-way and started again', () => {
  it('ends with the counters of a clean run and every finding sent once to Slack and SNS', async () => {
    const clean = await cleanRun();
    const expected = clean.findings
      .filter((f) => atLeast(f.severity, 'medium'))
      .map((f) => f.id)
      .sort();
    expect(expected.length).toBeGreaterThanOrEqual(6);

    const name = await tables.create('killed');
    const config = join(dir, 'trailguard.yaml');
    await writeFile(
      config,
      `${SYNTHETIC_CONFIG}\nalerts:\n  slack: { channel: '#sec-alerts' }\n  sns: { topicArn: '${sns.topicArn}' }\n`,
    );
    const env = {
      ...LOCAL_AWS_ENV,
      AWS_ENDPOINT_URL_DYNAMODB: proxy.url,
      AWS_ENDPOINT_URL_SNS: sns.endpoint,
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_API_URL: slack.url,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const args = [
      'detect',
      trail,
      '--state',
      `dynamodb:${name}`,
      '--notify',
      '--config',
      config,
      '--now',
      NOW,
    ];

    // 15 ms more per DynamoDB request stretches the run so the kill lands while it works.
    proxy.setRules([{ kind: 'slow', delayMs: 15 }]);
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    let claimedAtKill: Awaited<ReturnType<typeof claimItems>> = [];
    const deadline = Date.now() + 60_000;
    while (claimedAtKill.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      claimedAtKill = await claimItems(admin, name);
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    claimedAtKill = await claimItems(admin, name);
    expect(claimedAtKill.length).toBeGreaterThan(0);
    expect(claimedAtKill.every((c) => c.unconfirmed)).toBe(true);
    // Killed before the end of the replay: nothing was recorded or sent yet.
    expect(slack.requests).toEqual([]);
    expect(await sns.receive(1, 200)).toEqual([]);
    const countersAtKill = (await counterMembers(admin, name)).length;

    proxy.setRules([]);
    for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
    const restart = await runCli(args);
    expect(restart.code).toBe(0);
    expect(restart.stderr).toMatch(
      /raised again under their first id \(claimed by a run that never handed them on\): \d+/,
    );
    const reraised = Number(/handed them on\): (\d+)/.exec(restart.stderr)?.[1]);
    expect(reraised).toBeGreaterThan(0);
    expect(restart.stderr).toMatch(/alerts: \d+ sent .*, 0 failed, 0 pending/);

    expect(await counterMembers(admin, name)).toEqual(await counterMembers(admin, clean.table));
    const claims = await claimItems(admin, name);
    expect(claims.map((c) => [c.pk, c.findingId])).toEqual(
      (await claimItems(admin, clean.table)).map((c) => [c.pk, c.findingId]),
    );
    expect(claims.every((c) => !c.unconfirmed)).toBe(true);

    const slackSent = countIds(accepted(slack).map((post) => post.body));
    const snsSent = countIds(
      (await sns.receive(expected.length, 5000)).map((m) => String((JSON.parse(m.Message) as Finding).id)),
    );
    expect([...slackSent.keys()].sort()).toEqual(expected);
    expect([...snsSent.keys()].sort()).toEqual(expected);
    expect([...slackSent.values(), ...snsSent.values()].every((n) => n === 1)).toBe(true);
    expect(await sns.receive(1, 300)).toEqual([]);
    reportFigures('killed-replay', {
      records: 'synthetic 6h seed 23',
      claimsAtKill: claimedAtKill.length,
      counterEntriesAtKill: countersAtKill,
      counterEntriesFinal: (await counterMembers(admin, name)).length,
      reraisedOnRestart: reraised,
      expectedAlerts: expected.length,
      findingsLost: expected.filter((id) => !slackSent.has(id) || !snsSent.has(id)).length,
      duplicates: [...slackSent.values(), ...snsSent.values()].filter((n) => n > 1).length,
    });
  }, 180_000);
});
