import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Router } from '../../../lib/alerts/routing.ts';
import { loadConfig, parseConfigText } from '../../../lib/config/load-config.ts';
import type { Finding } from '../../../lib/engine/finding.ts';
import { testConfig } from '../../helpers/config.ts';
import { hostileFinding } from './hostile.ts';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:trailguard-alerts';
const PAGER = 'arn:aws:sns:us-east-1:111122223333:pager';

const finding = (overrides: Partial<Finding>): Finding => hostileFinding('main', overrides);

function router(alerts: Record<string, unknown>): Router {
  return new Router(testConfig({ alerts }).alerts);
}

describe('alert routing', () => {
  it('sends every finding of medium or above to every configured sink by default', () => {
    const r = router({ slack: { channel: '#sec-alerts' }, sns: { topicArn: TOPIC } });
    expect(r.sinksFor(finding({ severity: 'medium' }))).toEqual(['slack:#sec-alerts', `sns:${TOPIC}`]);
    expect(r.sinksFor(finding({ severity: 'critical' }))).toEqual(['slack:#sec-alerts', `sns:${TOPIC}`]);
    expect(r.sinksFor(finding({ severity: 'low' }))).toEqual([]);
  });

  it("applies alerts.minSeverity and each sink's own minimum", () => {
    const r = router({
      minSeverity: 'low',
      slack: { channel: '#sec', minSeverity: 'high' },
      sns: { topicArn: TOPIC },
    });
    expect(r.sinksFor(finding({ severity: 'low' }))).toEqual([`sns:${TOPIC}`]);
    expect(r.sinksFor(finding({ severity: 'high' }))).toEqual(['slack:#sec', `sns:${TOPIC}`]);
    expect(r.sinksFor(finding({ severity: 'info' }))).toEqual([]);
  });

  it('lets the first matching route decide, replacing the defaults unless alsoDefaults', () => {
    const r = router({
      slack: { channel: '#sec-alerts' },
      sns: { topicArn: TOPIC },
      routes: [
        {
          name: 'page',
          when: { severity: ['critical'], environment: ['prod*'] },
          sns: { topicArn: PAGER },
          alsoDefaults: true,
        },
        {
          name: 'agents',
          when: { detector: ['agent-change-rate'] },
          slack: { channel: '#ai-agents', minSeverity: 'low' },
        },
        {
          name: 'never reached for agents',
          when: { detector: ['agent-change-rate'] },
          slack: { channel: '#other' },
        },
        {
          name: 'staging',
          when: { pipeline: ['*-staging'] },
          slack: { channel: '#staging', minSeverity: 'high' },
        },
      ],
    });
    expect(r.sinksFor(finding({ severity: 'critical', environment: 'prod' }))).toEqual([
      `sns:${PAGER}`,
      'slack:#sec-alerts',
      `sns:${TOPIC}`,
    ]);
    expect(r.sinksFor(finding({ severity: 'critical', environment: 'staging' }))).toEqual([
      'slack:#sec-alerts',
      `sns:${TOPIC}`,
    ]);
    expect(r.sinksFor(finding({ detector: 'agent-change-rate', severity: 'low' }))).toEqual([
      'slack:#ai-agents',
    ]);
    expect(r.routeOf(finding({ detector: 'agent-change-rate' }))?.name).toBe('agents');
    // A matching route's own minimum applies: a medium staging finding goes nowhere, not to the defaults.
    expect(
      r.sinksFor(finding({ severity: 'medium', pipeline: 'shop-staging', environment: 'staging' })),
    ).toEqual([]);
    expect(
      r.sinksFor(finding({ severity: 'high', pipeline: 'shop-staging', environment: 'staging' })),
    ).toEqual(['slack:#staging']);
    // A pipeline or environment condition never matches a finding without one.
    expect(
      r.sinksFor(finding({ severity: 'critical', environment: undefined, pipeline: undefined })),
    ).toEqual(['slack:#sec-alerts', `sns:${TOPIC}`]);
    expect(r.sinks.sort()).toEqual(
      [
        'slack:#ai-agents',
        'slack:#other',
        'slack:#sec-alerts',
        'slack:#staging',
        `sns:${PAGER}`,
        `sns:${TOPIC}`,
      ].sort(),
    );
  });

  it('has no sinks when alerts is not configured', async () => {
    expect(new Router((await loadConfig()).alerts).sinks).toEqual([]);
  });
});

describe('alerts config', () => {
  const problems = (yaml: string) => {
    try {
      parseConfigText(yaml, 'test.yaml');
      return [];
    } catch (error) {
      return (error as { problems: { path: string; line?: number; message: string }[] }).problems;
    }
  };

  it('rejects misspelt keys, unknown detectors, bad channels and topics, and empty routes', () => {
    const found = problems(`
alerts:
  slack: { channel: 'sec alerts' }
  sns: { topicArn: 'arn:aws:sqs:us-east-1:111122223333:q' }
  minSeverty: high
  routes:
    - when: { detector: [acess-denied-spike] }
      slack: { channel: '#x' }
    - when: {}
      slack: { channel: '#x' }
    - when: { severity: [critical] }
`);
    const byPath = found.map((p) => `${p.path}: ${p.message}`);
    expect(byPath).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^alerts\.slack\.channel: a Slack channel ID/),
        expect.stringMatching(/^alerts\.sns\.topicArn: an SNS topic ARN/),
        expect.stringMatching(/^alerts: .*minSeverty/),
        expect.stringMatching(/^alerts\.routes\[0\]\.when\.detector\[0\]: /),
        expect.stringMatching(
          /^alerts\.routes\[1\]\.when: a route needs severity, detector, pipeline or environment/,
        ),
        expect.stringMatching(/^alerts\.routes\[2\]: a route needs slack or sns/),
      ]),
    );
    expect(found.every((p) => p.line !== undefined)).toBe(true);
  });

  it('accepts the example in the README and routes it as the README says', async () => {
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Alerts'));
    const yaml = section.slice(
      section.indexOf('```yaml') + 7,
      section.indexOf('```', section.indexOf('```yaml') + 7),
    );
    const config = parseConfigText(yaml, 'README.md');
    const r = new Router(config.alerts);
    expect(r.sinksFor(finding({ severity: 'critical', environment: 'prod' }))).toEqual([
      'slack:#sec-oncall',
      'sns:arn:aws:sns:us-east-1:111122223333:pager',
      'slack:#sec-alerts',
      'sns:arn:aws:sns:us-east-1:111122223333:trailguard-alerts',
    ]);
    expect(r.sinksFor(finding({ severity: 'low', environment: 'prod' }))).toEqual([
      'sns:arn:aws:sns:us-east-1:111122223333:trailguard-alerts',
    ]);
    expect(
      r.sinksFor(finding({ detector: 'agent-change-rate', pipeline: 'release-agent', severity: 'low' })),
    ).toEqual(['slack:#ai-agents']);
  });

  it('documents routing in the JSON Schema', async () => {
    const { configJsonSchema } = await import('../../../lib/config/load-config.ts');
    const text = JSON.stringify(configJsonSchema());
    expect(text).toContain('the FIRST route whose `when` matches decides where the finding goes');
    expect(text).toContain('SLACK_BOT_TOKEN');
  });
});
