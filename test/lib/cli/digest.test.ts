import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT, runCli } from '../../helpers/run-cli.ts';
import { posts, type SlackServer, startSlackServer } from '../../helpers/slack-server.ts';
import { expectNoInjectedMarkup, postedMessage } from '../alerts/slack-assertions.ts';

const EXAMPLE = ['-c', 'examples/trailguard.yaml', 'examples/AWSLogs'];

describe('trailguard digest', { timeout: 60_000 }, () => {
  let slack: SlackServer;
  beforeEach(async () => {
    slack = await startSlackServer();
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await slack.close();
  });

  it('prints the AccessDenied trend against the previous period, counting what query denied counts', async () => {
    const { code, stdout } = await runCli([
      'digest',
      '--since',
      '1d',
      '--now',
      '2026-11-21T09:00:00Z',
      ...EXAMPLE,
    ]);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(
      'AccessDenied digest: 2026-11-20T09:00:00Z to 2026-11-21T09:00:00Z (1d), against the 1d before: 24 denials (previously 0, new)',
    );
    expect(stdout).toMatch(/PRINCIPAL\s+DENIALS\s+BEFORE\s+CHANGE\s+TREND \(1h per bar\)/);
    expect(stdout).toMatch(/arn:aws:iam::111122223333:role\/deploy-shop-prod\s+24\s+0\s+new\s+█▁{23}\n/);
    expect(stdout).toMatch(/iam:ListRoles\s+8\s+0\s+new/);

    const query = await runCli([
      'query',
      'denied',
      '-f',
      'jsonl',
      '--since',
      '2026-11-20T09:00:00Z',
      '--until',
      '2026-11-21T09:00:00Z',
      ...EXAMPLE,
    ]);
    const total = query.stdout
      .trim()
      .split('\n')
      .reduce((sum, line) => sum + Number(JSON.parse(line).count), 0);
    expect(total).toBe(24);

    const later = await runCli(['digest', '--since', '1d', '--now', '2026-11-22T09:00:00Z', ...EXAMPLE]);
    expect(later.stdout).toMatch(/0 denials \(previously 24, gone\)/);
    expect(later.stdout).toMatch(/deploy-shop-prod\s+0\s+24\s+gone/);
  });

  it('posts the digest to Slack with --notify', async () => {
    vi.stubEnv('SLACK_BOT_TOKEN', 'xoxb-digest-token');
    vi.stubEnv('SLACK_API_URL', slack.url);
    const dir = await mkdtemp(join(tmpdir(), 'tg-digest-'));
    const config = join(dir, 'trailguard.yaml');
    const base = await readFile(join(REPO_ROOT, 'examples/trailguard.yaml'), 'utf8');
    await writeFile(
      config,
      `${base}\nalerts:\n  slack: { channel: '#sec-alerts' }\n  digest: { channel: '#sec-weekly' }\n`,
    );
    const { code, stderr } = await runCli([
      'digest',
      '--notify',
      '--now',
      '2026-11-21T09:00:00Z',
      '-c',
      config,
      'examples/AWSLogs',
    ]);
    expect(code).toBe(0);
    expect(stderr).toContain('digest posted to slack:#sec-weekly');
    const [post] = posts(slack);
    expect(post?.channel).toBe('#sec-weekly');
    const blocks = JSON.stringify(post?.blocks);
    expect(blocks).toContain('AccessDenied trend, last 7d');
    expect(blocks).toContain('`arn:aws:iam::111122223333:role/deploy-shop-prod` 24 (before 0, new) ▁');
    expectNoInjectedMarkup(postedMessage(post as NonNullable<typeof post>));
  });

  it('exits 2 when the digest cannot be posted, before reading anything', async () => {
    vi.stubEnv('SLACK_BOT_TOKEN', '');
    const noChannel = await runCli(['digest', '--notify', ...EXAMPLE]);
    expect(noChannel.code).toBe(2);
    expect(noChannel.stderr).toContain('set alerts.digest.channel or alerts.slack.channel');
    expect((await runCli(['digest', '--since', '90s', ...EXAMPLE])).code).toBe(2);
    expect(slack.requests).toEqual([]);
  });
});
