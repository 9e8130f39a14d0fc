import { spawn } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../../../lib/engine/finding.ts';
import { LOCAL_AWS_ENV, localClient } from '../../helpers/dynamodb-local.ts';
import { REPO_ROOT, runCli } from '../../helpers/run-cli.ts';
import { createTestTable, sharedDynamoDb } from '../../helpers/shared-dynamodb.ts';
import {
  accepted,
  platformError,
  posts,
  type SlackRequest,
  type SlackServer,
  startSlackServer,
} from '../../helpers/slack-server.ts';
import { type SnsEmulator, startSnsEmulator } from '../../helpers/sns-emulator.ts';
import {
  apiCall,
  assumeRoleWithGitHub,
  githubProviderArn,
  roleIdentity,
} from '../../helpers/trail-records.ts';
import { expectNoInjectedMarkup, postedMessage } from '../alerts/slack-assertions.ts';

const TOKEN = 'xoxb-9999-8888-clitokenvalue';
const EXAMPLE_IDS = [
  'tg-0913ec798230090b95da',
  'tg-0b22061a8ff8849d090e',
  'tg-0cf70e8295af772d43d7',
  'tg-27d788fda7598f118eda',
  'tg-5ff7e3661efc7304fa90',
  'tg-7426f69588418aba8e99',
  'tg-bd9a13e7039827db53f7',
  'tg-d8a3945e583ab214c2df',
  'tg-ee9fbd515d6e982bcfc5',
];

let slack: SlackServer;
let sns: SnsEmulator;
let dir: string;

/** examples/trailguard.yaml with an alerts section. */
async function writeConfig(alerts: string): Promise<string> {
  const base = await readFile(join(REPO_ROOT, 'examples/trailguard.yaml'), 'utf8');
  const path = join(dir, `trailguard-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(path, `${base}\nalerts:\n${alerts}`);
  return path;
}

const alertsYaml = () =>
  `  slack: { channel: '#sec-alerts' }\n  sns: { topicArn: '${sns.topicArn}' }\n` +
  `  routes:\n    - when: { severity: [critical] }\n      slack: { channel: '#sec-oncall' }\n      alsoDefaults: false\n` +
  `      sns: { topicArn: '${sns.topicArn}' }\n`;

function idsIn(request: SlackRequest): string[] {
  return [...new Set(`${request.text} ${JSON.stringify(request.blocks)}`.match(/tg-[0-9a-f]{20}/g) ?? [])];
}

function acceptedCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of accepted(slack))
    for (const id of idsIn(request)) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

const snsIds = async (count: number, timeoutMs = 3000) =>
  (await sns.receive(count, timeoutMs)).map((m) => (JSON.parse(m.Message) as Finding).id).sort();

beforeAll(async () => {
  sns = await startSnsEmulator('cli-alerts');
});
afterAll(async () => {
  await sns.stop();
});
beforeEach(async () => {
  slack = await startSlackServer();
  dir = await mkdtemp(join(tmpdir(), 'tg-cli-alerts-'));
  await sns.receive(100, 100);
  vi.stubEnv('SLACK_BOT_TOKEN', TOKEN);
  vi.stubEnv('SLACK_API_URL', slack.url);
  vi.stubEnv('AWS_ENDPOINT_URL_SNS', sns.endpoint);
  for (const [name, value] of Object.entries(LOCAL_AWS_ENV)) vi.stubEnv(name, value);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await slack.close();
});

/** Each CLI run starts tsx (about 2 s) and paces Slack posts at one a second per channel. */
const SLOW = { timeout: 120_000 };

describe('trailguard detect --notify', SLOW, () => {
  it('posts each finding to Slack and publishes it to SNS, with its id, once across runs', async () => {
    const config = await writeConfig(alertsYaml());
    const outbox = join(dir, 'outbox.jsonl');
    const args = ['detect', '--notify', '--outbox', outbox, '-c', config, 'examples/AWSLogs'];
    const run = await runCli(args);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/trailguard: alerts: 18 sent \(.*\), 0 failed, 0 pending in /);

    expect([...acceptedCounts().keys()].sort()).toEqual(EXAMPLE_IDS);
    expect([...acceptedCounts().values()].every((n) => n === 1)).toBe(true);
    for (const request of posts(slack)) {
      const critical = JSON.stringify(request.blocks).includes('CRITICAL');
      expect(request.channel).toBe(critical ? '#sec-oncall' : '#sec-alerts');
      expect(request.params.has('link_names')).toBe(false);
      expectNoInjectedMarkup(postedMessage(request));
    }
    // The trace command names the paths detect read.
    expect(JSON.stringify(posts(slack).map((p) => p.blocks))).toContain(
      'trailguard query session --access-key-id ASIAEXAMPLEFEATURE01 --since 2026-11-20T08:31:00.000Z examples/AWSLogs',
    );
    expect(await snsIds(9)).toEqual(EXAMPLE_IDS);

    // The outbox remembers: the same findings again send nothing anywhere.
    const requests = slack.requests.length;
    const again = await runCli(args);
    expect(again.stderr).toMatch(/alerts: 0 sent, 0 failed, 0 pending/);
    expect(slack.requests.length).toBe(requests);
    expect(await snsIds(1, 500)).toEqual([]);
    expect(run.stderr + again.stderr).not.toContain('clitokenvalue');
  });

  it('lets no mention, channel link or URL from event data reach Slack', async () => {
    const base = { account: '111122223333', region: 'us-east-1' };
    const hostileBranch = 'fix-<!channel>-<@U0ADMIN>-<https://evil.example|click>-`x`';
    const records = [
      assumeRoleWithGitHub(
        {
          ...base,
          time: Date.parse('2026-11-20T12:00:00Z'),
          eventId: 'aaaaaaaa-0000-4000-8000-000000000001',
        },
        {
          role: 'deploy-shop-prod',
          subject: `repo:acme/shop:ref:refs/heads/${hostileBranch}`,
          issuedKey: 'ASIAHOSTILE000000001',
          sourceIp: '4.175.114.51',
        },
      ),
      apiCall(
        {
          ...base,
          time: Date.parse('2026-11-20T12:00:20Z'),
          eventId: 'aaaaaaaa-0000-4000-8000-000000000002',
        },
        {
          identity: roleIdentity({
            account: base.account,
            role: 'deploy-shop-prod',
            sessionName: '<!here>',
            accessKeyId: 'ASIAHOSTILE000000001',
            federatedProvider: githubProviderArn(base.account),
          }),
          source: 'iam.amazonaws.com',
          name: 'AttachRolePolicy',
          readOnly: false,
          sourceIp: '4.175.114.51',
          userAgent: '<!everyone> <#C123> <!subteam^S1> \u202Eevil',
          requestParameters: {
            roleName: '<@U123>',
            policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
          },
        },
      ),
    ];
    const trail = join(dir, 'hostile.json');
    await writeFile(trail, JSON.stringify({ Records: records }));
    const config = await writeConfig(`  slack: { channel: '#sec-alerts' }\n`);
    const run = await runCli(['detect', '--notify', '--outbox', join(dir, 'o.jsonl'), '-c', config, trail]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/alerts: 2 sent/);
    const [post] = posts(slack);
    expect(posts(slack)).toHaveLength(1); // both findings: one principal, one minute
    const raw = `${post?.params.get('text')}${post?.params.get('blocks')}`;
    for (const markup of [
      '<!channel>',
      '<!here>',
      '<!everyone>',
      '<@U0ADMIN>',
      '<@U123>',
      '<#C123>',
      '<!subteam',
      '<https://evil',
    ]) {
      expect(raw).not.toContain(markup);
    }
    // The data is still there for on-call to read, escaped.
    expect(raw).toContain('fix-&lt;!channel&gt;-&lt;@U0ADMIN&gt;-&lt;https://evil.example|click&gt;-ˋxˋ');
    expectNoInjectedMarkup(postedMessage(post as SlackRequest));
  });

  it('sends nothing without --notify', async () => {
    const config = await writeConfig(alertsYaml());
    const run = await runCli(['detect', '-c', config, 'examples/AWSLogs']);
    expect(run.code).toBe(0);
    expect(slack.requests).toEqual([]);
    expect(await snsIds(1, 500)).toEqual([]);
  });

  it('exits 2 naming what to configure, and never prints the token', async () => {
    const none = await runCli(['detect', '--notify', '-c', 'examples/trailguard.yaml', 'examples/AWSLogs']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(
      'no alert destination in examples/trailguard.yaml: set alerts.slack.channel and/or alerts.sns.topicArn',
    );
    expect(none.stdout).toBe('');

    vi.stubEnv('SLACK_BOT_TOKEN', '');
    const config = await writeConfig(`  slack: { channel: '#sec-alerts' }\n`);
    const noToken = await runCli(['detect', '--notify', '-c', config, 'examples/AWSLogs']);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/SLACK_BOT_TOKEN is not set/);

    const withoutNotify = await runCli(['detect', '--outbox', 'x.jsonl', 'examples/AWSLogs']);
    expect(withoutNotify.code).toBe(2);
    expect(withoutNotify.stderr).toContain('--outbox needs --notify');

    vi.stubEnv('SLACK_BOT_TOKEN', TOKEN);
    slack.fallback(platformError(`invalid_auth ${TOKEN}`));
    const rejected = await runCli([
      'detect',
      '--notify',
      '--outbox',
      join(dir, 'o.jsonl'),
      '-c',
      config,
      'examples/AWSLogs',
    ]);
    expect(rejected.code).toBe(0);
    expect(rejected.stderr).toMatch(/failed \(attempt 1\): .*invalid_auth/);
    expect(rejected.stderr).not.toContain('clitokenvalue');
    expect(rejected.stderr).toContain('"trailguard alerts flush --outbox');
  });
});

describe('trailguard alerts flush', SLOW, () => {
  it('delivers after a crash what the killed run left, and SNS exactly once', async () => {
    const config = await writeConfig(alertsYaml());
    const outbox = join(dir, 'outbox.jsonl');
    slack.script('hang');
    const bin = fileURLToPath(new URL('../../../bin/trailguard.mjs', import.meta.url));
    const child = spawn(
      process.execPath,
      [bin, 'detect', '--notify', '--outbox', outbox, '-c', config, 'examples/AWSLogs'],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        stdio: 'ignore',
      },
    );
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await slack.waitForRequests(1, 20_000);
    // SNS runs beside Slack and is done well within this; then the process dies mid-post.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill('SIGKILL');
    await exited;
    expect((await stat(`${outbox}.lock`)).isFile()).toBe(true); // left behind by the killed run

    const inFlight = idsIn(posts(slack)[0] as SlackRequest);
    const flushed = await runCli(['alerts', 'flush', '--outbox', outbox, '-c', config]);
    expect(flushed.code).toBe(0);
    expect(flushed.stderr).toMatch(/alerts: \d+ sent .*, 0 failed, 0 pending/);
    const counts = acceptedCounts();
    expect([...counts.keys()].sort()).toEqual(EXAMPLE_IDS);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // The one known window: the post in flight when the process died is posted once more, and only once.
    const allPosts = posts(slack).flatMap(idsIn);
    for (const id of inFlight) expect(allPosts.filter((x) => x === id)).toHaveLength(2);
    expect(await snsIds(9)).toEqual(EXAMPLE_IDS);

    const again = await runCli(['alerts', 'flush', '--outbox', outbox]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/alerts: 0 sent, 0 failed, 0 pending/);
    expect(await snsIds(1, 500)).toEqual([]);
  });

  describe('with the outbox in the DynamoDB state table', () => {
    let client: DynamoDBClient;
    beforeAll(async () => {
      client = localClient(await sharedDynamoDb());
    });
    afterAll(() => client.destroy());

    it('keeps Slack alerts pending through an outage while SNS delivers, then flushes each once', async () => {
      vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', await sharedDynamoDb());
      const table = await createTestTable(client, 'cli-outbox');
      const config = await writeConfig(alertsYaml());
      slack.fallback(platformError('service_unavailable'));
      const state = `dynamodb:${table}`;
      const detect = await runCli(['detect', '--notify', '--state', state, '-c', config, 'examples/AWSLogs']);
      expect(detect.code).toBe(0);
      expect(detect.stderr).toMatch(/alerts: 9 sent \(sns:[^)]+ 9\), \d+ failed, 9 pending in dynamodb:/);
      expect(detect.stderr).toContain(`"trailguard alerts flush --state ${state}" retries them`);
      expect(await snsIds(9)).toEqual(EXAMPLE_IDS);

      const during = await runCli(['alerts', 'flush', '--state', state, '-c', config]);
      expect(during.code).toBe(1);
      expect(during.stderr).toMatch(/failed \(attempt 2\): .*service_unavailable/);

      slack.fallback(undefined);
      const after = await runCli(['alerts', 'flush', '--state', state, '-c', config]);
      expect(after.code).toBe(0);
      expect(after.stderr).toMatch(/alerts: 9 sent .*, 0 failed, 0 pending/);
      expect([...acceptedCounts().keys()].sort()).toEqual(EXAMPLE_IDS);
      expect([...acceptedCounts().values()].every((n) => n === 1)).toBe(true);
      expect(await snsIds(1, 500)).toEqual([]);
    });
  });
});
