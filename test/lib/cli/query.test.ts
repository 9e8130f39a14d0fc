import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../../lib/cli/main.ts';
import { parseConfigText } from '../../../lib/config/load-config.ts';
import type { Finding } from '../../../lib/engine/finding.ts';
import { QUERIES } from '../../../lib/queries/registry.ts';
import { runCli } from '../../helpers/run-cli.ts';
import { SYNTHETIC_CONFIG, syntheticTrail } from '../../helpers/synthetic-trail.ts';
import type { CloudTrailRecord } from '../../helpers/trail-records.ts';
import { writeS3Trail } from '../../helpers/write-s3-trail.ts';
import { emulate } from '../queries/insights-emulator.ts';
import { type LogsServer, startLogsServer } from '../queries/logs-server.ts';

const KEY = 'ASIASHOPPROD00000145';
const jsonl = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

let records: CloudTrailRecord[];
let dir: string;
let config: string;
beforeAll(async () => {
  records = [...syntheticTrail({ seed: 7, attacks: true })];
  dir = await mkdtemp(join(tmpdir(), 'tg-query-cli-'));
  await writeS3Trail(records, join(dir, 'trail'));
  config = join(dir, 'trailguard.yaml');
  await writeFile(config, SYNTHETIC_CONFIG);
});

it('offers every registered query as a subcommand, and config suggest', () => {
  const program = buildProgram();
  const query = program.commands.find((c) => c.name() === 'query');
  expect(query?.commands.map((c) => c.name())).toEqual(QUERIES.map((q) => q.name));
  const config = program.commands.find((c) => c.name() === 'config');
  expect(config?.commands.map((c) => c.name())).toContain('suggest');
});

describe('trailguard query session', () => {
  it('on a trail where an OIDC session assumed a prod role and then made calls, returns exactly that session, the assumption first, with the subject', async () => {
    const { code, stdout, stderr } = await runCli([
      'query',
      'session',
      '--access-key-id',
      KEY,
      '-f',
      'jsonl',
      join(dir, 'trail'),
    ]);
    expect(code).toBe(0);
    const rows = jsonl(stdout);
    const expected = records
      .filter((r) => {
        const identity = r.userIdentity as { accessKeyId?: string };
        const response = r.responseElements as { credentials?: { accessKeyId?: string } } | null;
        return identity.accessKeyId === KEY || response?.credentials?.accessKeyId === KEY;
      })
      .sort((a, b) => String(a.eventTime).localeCompare(String(b.eventTime)));
    expect(rows.map((r) => r.eventID)).toEqual(expected.map((r) => r.eventID));
    expect(rows[0]).toMatchObject({
      eventName: 'AssumeRoleWithWebIdentity',
      issuedAccessKeyId: KEY,
      subject: 'repo:acme/shop:ref:refs/heads/main',
      repository: 'acme/shop',
      branch: 'main',
    });
    expect(new Set(rows.map((r) => r.subject))).toEqual(new Set(['repo:acme/shop:ref:refs/heads/main']));
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'depth',
      'session',
      'eventTime',
      'eventID',
      'eventSource',
      'eventName',
      'errorCode',
      'sourceIp',
      'region',
      'userAgent',
      'accessKeyId',
      'issuedAccessKeyId',
      'role',
      'subject',
      'repository',
      'branch',
      'environment',
      'workflow',
    ]);
    expect(stderr).toMatch(/trailguard: [\d,]+ records from \d+ files .*; 69 rows/);
  });

  it('traces the session behind a finding id by raising the findings again', async () => {
    const detect = await runCli(['detect', '-f', 'jsonl', '-c', config, join(dir, 'trail')]);
    const findings = jsonl(detect.stdout) as unknown as Finding[];
    const exfiltration = findings.find((f) => f.detector === 'oidc-session-exfiltration');
    expect(exfiltration).toBeDefined();
    const { code, stdout, stderr } = await runCli([
      'query',
      'session',
      '--finding',
      String(exfiltration?.id),
      '-c',
      config,
      '-f',
      'jsonl',
      join(dir, 'trail'),
    ]);
    expect(code).toBe(0);
    expect(stderr).toContain(`finding ${exfiltration?.id} (oidc-session-exfiltration): tracing ${KEY}`);
    const rows = jsonl(stdout);
    expect(rows).toHaveLength(69);
    expect(rows[0]).toMatchObject({ eventName: 'AssumeRoleWithWebIdentity', issuedAccessKeyId: KEY });
  });

  it('exits 2 naming a finding id that detection does not raise', async () => {
    const { code, stdout, stderr } = await runCli([
      'query',
      'session',
      '--finding',
      'tg-00000000000000000000',
      '-c',
      config,
      join(dir, 'trail'),
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/no finding tg-0{20} in these logs/);
  });

  it('prints sessions, then events, as a table by default', async () => {
    const { code, stdout } = await runCli(['query', 'session', '--access-key-id', KEY, join(dir, 'trail')]);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(
      /^SESSION\s+DEPTH\s+ROLE\s+SUBJECT\s+REPOSITORY\s+BRANCH\s+ENV\s+WORKFLOW\s+EVENTS$/,
    );
    expect(lines[1]).toMatch(
      /^ASIASHOPPROD00000145\s+0\s+arn:aws:iam::111122223333:role\/deploy-shop-prod\s+repo:acme\/shop:ref:refs\/heads\/main\s+acme\/shop\s+main\s+-\s+-\s+69$/,
    );
    expect(lines[3]).toMatch(/^DEPTH\s+SESSION\s+TIME\s+SOURCE\s+EVENT\s+ERROR\s+SOURCE IP\s+ISSUED$/);
  });
});

describe('trailguard query denied', () => {
  it('counts every authorization failure per principal exactly (jsonl)', async () => {
    const { code, stdout } = await runCli(['query', 'denied', '-f', 'jsonl', join(dir, 'trail')]);
    expect(code).toBe(0);
    const rows = jsonl(stdout);
    const perPrincipal = new Map<string, number>();
    for (const row of rows)
      perPrincipal.set(
        String(row.principal),
        (perPrincipal.get(String(row.principal)) ?? 0) + Number(row.count),
      );
    const expected = new Map<string, number>();
    for (const r of records) {
      if (r.errorCode !== 'AccessDenied') continue;
      const arn = (r.userIdentity as { sessionContext: { sessionIssuer: { arn: string } } }).sessionContext
        .sessionIssuer.arn;
      expected.set(arn, (expected.get(arn) ?? 0) + 1);
    }
    expect(perPrincipal).toEqual(expected);
    expect(Object.keys(rows[0] ?? {})).toEqual(['principal', 'action', 'bin', 'count']);
  });

  it('writes CSV with a header, and a table with a sparkline per principal', async () => {
    const csv = await runCli(['query', 'denied', '-f', 'csv', '--bin', '6h', join(dir, 'trail')]);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n').slice(0, 2)).toEqual([
      'principal,action,bin,count',
      'arn:aws:iam::111122223333:role/deploy-shop-prod,cloudtrail:StopLogging,2026-11-20T06:00:00.000Z,1',
    ]);
    const table = await runCli(['query', 'denied', join(dir, 'trail')]);
    expect(table.stdout).toMatch(/^PRINCIPAL\s+DENIALS\s+TREND \(1h bins from /);
    expect(table.stdout).toContain('arn:aws:iam::111122223333:role/deploy-shop-prod  61       ▁▁█▁▁▁');
  });
});

describe('trailguard query, other queries', () => {
  it('lists long-lived keys, OIDC subjects and pipeline IAM writes', async () => {
    const keys = jsonl((await runCli(['query', 'keys', '-f', 'jsonl', join(dir, 'trail')])).stdout);
    expect(keys.map((k) => [k.principal, k.accessKeyId, k.calls])).toEqual([
      ['arn:aws:iam::111122223333:user/legacy-deployer', 'AKIAIOSFODNN7LEGACY1', 4],
    ]);
    const oidc = jsonl((await runCli(['query', 'oidc', '-f', 'jsonl', join(dir, 'trail')])).stdout);
    expect(oidc.map((r) => r.subject)).toContain('repo:acme/shop:ref:refs/heads/feature/poisoned-action');
    const writes = await runCli(['query', 'iam-writes', '-c', config, '-f', 'csv', join(dir, 'trail')]);
    expect(writes.stdout.split('\n')[1]).toMatch(
      /^shop-prod,service,prod,arn:aws:iam::111122223333:role\/deploy-shop-prod,iam:AttachRolePolicy,success,1,.*,true$/,
    );
    const principal = await runCli([
      'query',
      'principal',
      'arn:aws:iam::111122223333:user/legacy-deployer',
      join(dir, 'trail'),
    ]);
    expect(principal.stdout.split('\n')[0]).toMatch(
      /^ACTIONS\s+CALLS\s+DENIED\s+ERRORS\s+FIRST SEEN\s+LAST SEEN$/,
    );
  });

  it('prints the Logs Insights text with --show-query', async () => {
    const { code, stdout } = await runCli(['query', 'keys', '--show-query', join(dir, 'trail')]);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('filter userIdentity.accessKeyId like /^AKIA/');
  });
});

describe('trailguard query, usage errors (exit 2, nothing on stdout)', () => {
  it.each([
    [['query', 'denied', 'no/such/dir'], /no such file or directory: no\/such\/dir/],
    [['query', 'denied', 'logs:CloudTrail/org'], /logs: sources need --since/],
    [['query', 'denied', '--since', '1d', 'logs:CloudTrail/org', 'examples'], /not both/],
    [['query', 'denied', '--since', 'yesterday', 'examples'], /--since "yesterday"/],
    [['query', 'denied', '--bin', 'hourly', 'examples'], /--bin "hourly"/],
    [['query', 'session', 'examples'], /needs --access-key-id, --session-arn or --finding/],
    [['query', 'session', '--access-key-id', 'ASIA"] or 1', 'examples'], /is not an access key id/],
    [['query', 'session', '--finding', 'tg-1', '-'], /needs local files/],
    [['query', 'principal', 'deploy-shop-prod', 'examples'], /is not an ARN/],
    [['query', 'iam-writes', 'examples'], /needs the pipeline inventory/],
    [['query', 'denied', '--format', 'xml', 'examples'], /invalid/],
    [['query', 'nosuch', 'examples'], /unknown command/],
  ])('%j', async (args, message) => {
    const { code, stdout, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });
});

describe('trailguard query with bad input mixed in', () => {
  it('skips and names each bad file on stderr, like detect, and exits 0', async () => {
    const mixed = join(dir, 'mixed');
    await mkdir(mixed, { recursive: true });
    await writeFile(join(mixed, 'not-json.json'), 'this is not json');
    await writeFile(
      join(mixed, 'records.jsonl'),
      [JSON.stringify(records.find((r) => r.errorCode === 'AccessDenied')), '{"eventName":"x"}'].join('\n'),
    );
    const { code, stdout, stderr } = await runCli(['query', 'denied', '-f', 'jsonl', mixed]);
    expect(code).toBe(0);
    expect(jsonl(stdout).map((r) => r.count)).toEqual([1]);
    expect(stderr).toMatch(/trailguard: skipped .*not-json\.json: /);
    expect(stderr).toMatch(/trailguard: skipped .*records\.jsonl:2 record 1: missing eventTime/);
    expect(stderr).toMatch(/skipped 2: /);
  });
});

describe('trailguard query over logs:', () => {
  let server: LogsServer;
  const saved = { ...process.env };
  beforeAll(async () => {
    server = await startLogsServer(emulate(records));
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: server.url,
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_REGION: 'us-east-1',
    });
    delete process.env.AWS_PROFILE;
  });
  afterAll(async () => {
    process.env = saved;
    await server.close();
  });

  it('runs the same query through Logs Insights and prints the same rows', async () => {
    const window = ['--since', '2026-11-20T06:00:00Z', '--until', '2026-11-20T12:00:00Z'];
    const local = await runCli(['query', 'denied', '-f', 'jsonl', ...window, join(dir, 'trail')]);
    const logs = await runCli([
      'query',
      'denied',
      '-f',
      'jsonl',
      ...window,
      'logs:CloudTrail/DefaultLogGroup',
    ]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toBe(local.stdout);
    expect(logs.stderr).toMatch(/trailguard: query 1 complete: \d+ rows/);
    expect(logs.stderr).toMatch(/1 Logs Insights query \(0 splits\) returned/);
    const start = server.requests.find((r) => r.operation === 'StartQuery');
    expect(start?.body).toMatchObject({
      logGroupIdentifiers: ['CloudTrail/DefaultLogGroup'],
      startTime: Date.parse('2026-11-20T06:00:00Z') / 1000,
      endTime: Date.parse('2026-11-20T12:00:00Z') / 1000 - 1,
    });
  });
});

describe('trailguard config suggest', () => {
  it('writes a valid pipelines: inventory from the OIDC assumptions', async () => {
    const { code, stdout } = await runCli(['config', 'suggest', join(dir, 'trail')]);
    expect(code).toBe(0);
    const suggested = parseConfigText(stdout, 'suggested.yaml');
    expect(suggested.inventory.pipelines.map((p) => p.name)).toEqual([
      'deploy-shop-prod',
      'deploy-shop-staging',
      'platform-iam',
    ]);
    expect(stdout).toMatch(/^# Suggested by trailguard config suggest from 24 OIDC role assumptions/);
  });
});
