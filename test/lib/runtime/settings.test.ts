import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config/load-config.ts';
import { configuredTopicArns, usesSlack, withDeployedSinks } from '../../../lib/runtime/deployed-sinks.ts';
import { ENV, RuntimeSettingsError, readSettings } from '../../../lib/runtime/environment.ts';
import { lazy } from '../../../lib/runtime/lazy.ts';
import { loadRuntimeConfig } from '../../../lib/runtime/runtime-config.ts';
import { testConfig } from '../../helpers/config.ts';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:trailguard-alerts';

describe('runtime settings', () => {
  it('reads the variables infra sets, and names the one that is missing', () => {
    expect(() => readSettings({})).toThrow(
      new RuntimeSettingsError(`environment variable ${ENV.table} is not set`),
    );
    const settings = readSettings({
      [ENV.table]: ' trailguard-state ',
      [ENV.configFile]: 'trailguard.json',
      [ENV.slackChannel]: '#sec',
      [ENV.topicArn]: TOPIC,
      [ENV.slackSecretArn]: '',
      LAMBDA_TASK_ROOT: '/var/task',
    });
    expect(settings).toEqual({
      table: 'trailguard-state',
      configFile: 'trailguard.json',
      slackChannel: '#sec',
      topicArn: TOPIC,
      slackSecretArn: undefined,
      digestLogGroup: undefined,
      codeDirectory: '/var/task',
    });
  });

  it('fills in the deployed Slack channel and topic only where the config names none', () => {
    const bare = withDeployedSinks(testConfig(), { slackChannel: '#sec', topicArn: TOPIC });
    expect(bare.alerts.slack).toEqual({ channel: '#sec' });
    expect(bare.alerts.sns).toEqual({ topicArn: TOPIC });
    const own = 'arn:aws:sns:eu-west-1:111122223333:own';
    const configured = withDeployedSinks(
      testConfig({
        alerts: {
          slack: { channel: '#mine' },
          sns: { topicArn: own },
          routes: [{ when: { severity: ['critical'] }, sns: { topicArn: TOPIC } }],
        },
      }),
      { slackChannel: '#sec', topicArn: TOPIC },
    );
    expect(configured.alerts.slack?.channel).toBe('#mine');
    expect(configuredTopicArns(configured)).toEqual([TOPIC, own].sort());
    expect(usesSlack(configured)).toBe(true);
    expect(usesSlack(testConfig())).toBe(false);
    expect(usesSlack(testConfig({ alerts: { digest: { channel: '#digest' } } }))).toBe(true);
  });

  it('builds once, and again after a failed build', async () => {
    let builds = 0;
    const get = lazy(async () => {
      builds++;
      if (builds === 1) throw new Error('throttled');
      return builds;
    });
    await expect(get()).rejects.toThrow('throttled');
    expect(await get()).toBe(2);
    expect(await get()).toBe(2);
    expect(builds).toBe(2);
  });
});

describe('the runtime config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trailguard-runtime-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the bundled file from the code directory, with the deployed sinks', async () => {
    writeFileSync(join(dir, 'trailguard.json'), '{"detectors":{"long-lived-key":{"enabled":false}}}');
    const config = await loadRuntimeConfig({
      table: 't',
      configFile: 'trailguard.json',
      codeDirectory: dir,
      topicArn: TOPIC,
    });
    expect(config.detectors['long-lived-key']?.enabled).toBe(false);
    expect(config.alerts.sns?.topicArn).toBe(TOPIC);
  });

  it('runs with the defaults when no file was deployed, and fails on a broken one', async () => {
    const defaults = await loadRuntimeConfig({ table: 't', codeDirectory: dir });
    expect(defaults.origin).toBe('defaults');
    writeFileSync(join(dir, 'broken.json'), '{"detectors":{"nope":{}}}');
    await expect(
      loadRuntimeConfig({ table: 't', configFile: 'broken.json', codeDirectory: dir }),
    ).rejects.toMatchObject({ problems: [{ path: 'detectors', message: expect.stringContaining('nope') }] });
    // The YAML file itself is not what infra deploys: the handlers read JSON only.
    writeFileSync(join(dir, 'trailguard.yaml'), 'detectors:\n  long-lived-key: { enabled: false }\n');
    await expect(
      loadRuntimeConfig({ table: 't', configFile: 'trailguard.yaml', codeDirectory: dir }),
    ).rejects.toBeInstanceOf(ConfigError);
    await expect(
      loadRuntimeConfig({ table: 't', configFile: 'missing.json', codeDirectory: dir }),
    ).rejects.toBeInstanceOf(ConfigError);
  });
});
