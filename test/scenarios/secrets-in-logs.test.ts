import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAlerting } from '../../lib/alerts/alerting.ts';
import { slackClientFromEnv } from '../../lib/alerts/clients.ts';
import { MemoryOutbox } from '../../lib/alerts/memory-outbox.ts';
import { describeUnexpected } from '../../lib/cli/main.ts';
import { REDACTED, redactSecrets } from '../../lib/output/redact.ts';
import { alertLogLine } from '../../lib/runtime/logger.ts';
import { LogCapture } from '../handlers/harness.ts';
import { testConfig } from '../helpers/config.ts';
import { platformError, type SlackServer, startSlackServer } from '../helpers/slack-server.ts';
import { hostileFinding } from '../lib/alerts/hostile.ts';

/**
 * Secrets never reach a log line or an error message: the Slack bot token (SLACK_BOT_TOKEN, `xoxb-…`) and
 * the AWS credentials in the environment. Slack is made to fail with the token echoed back in its error,
 * as a proxy or a misbehaving API can, and the Lambda's log stream (Powertools JSON) is read back.
 */

const TOKEN = 'xoxb-4242-4343-verysecrettokenvalue';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYsecretkey';
const AWS_SESSION = 'IQoJb3JpZ2luX2VjEJr//////////sessiontoken==';
const ENV = { SLACK_BOT_TOKEN: TOKEN, AWS_SECRET_ACCESS_KEY: AWS_SECRET, AWS_SESSION_TOKEN: AWS_SESSION };

const leaks = (text: string) =>
  ['verysecrettokenvalue', AWS_SECRET, AWS_SESSION].filter((secret) => text.includes(secret));

let slack: SlackServer;
beforeEach(async () => {
  slack = await startSlackServer();
  // As in a Lambda: the credentials are in the environment (and the token was read from its secret).
  for (const [name, value] of Object.entries(ENV)) vi.stubEnv(name, value);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await slack.close();
});

describe('secrets in logs and errors', () => {
  it('a Slack error echoing the token and AWS credentials is logged redacted in the Lambda log stream', async () => {
    slack.fallback(platformError(`invalid_auth: token=${TOKEN} key=${AWS_SECRET} session=${AWS_SESSION}`));
    const capture = new LogCapture();
    capture.start();
    try {
      const logger = new Logger({ serviceName: 'trailguard', logLevel: 'DEBUG' });
      const alerting = createAlerting({
        config: testConfig({ alerts: { slack: { channel: '#sec' }, maxAttempts: 1 } }),
        outbox: new MemoryOutbox(),
        slack: slackClientFromEnv({ ...ENV, SLACK_API_URL: slack.url }),
        logger: alertLogLine(logger),
        sleep: async () => undefined,
      });
      const report = await alerting.notify([hostileFinding('main')]);
      const reported = JSON.stringify(report);
      capture.stop();
      const logged = capture.raw.join('');
      expect(logged + reported).toContain('invalid_auth');
      expect(leaks(logged + reported)).toEqual([]);
    } finally {
      capture.stop();
    }
    expect(slack.requests.length).toBeGreaterThan(0);
    expect(slack.requests[0]?.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('redactSecrets hides Slack tokens of every kind and the AWS credentials of the environment', () => {
    const text = [
      `xoxb-1-2-abc xoxp-9-def xoxe.xoxb-1-ghi xapp-1-A0-jkl`,
      `secret ${AWS_SECRET}`,
      `session ${AWS_SESSION}`,
    ].join('\n');
    const redacted = redactSecrets(text, ENV);
    expect(redacted).not.toMatch(/xox[a-z]-|xapp-/);
    expect(leaks(redacted)).toEqual([]);
    expect(redacted.split(REDACTED)).toHaveLength(7);
    expect(redactSecrets('short', { AWS_SECRET_ACCESS_KEY: 'sh' })).toBe('short');
  });

  it('the CLI crash report (unexpected error) redacts secrets and escapes event text, line by line', () => {
    const error = new Error(`post failed for ${TOKEN} with ${AWS_SECRET}: \u001b[2Jbranch\u202e`);
    const text = describeUnexpected(error);
    expect(leaks(text)).toEqual([]);
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u202e');
    expect(text).toMatch(/\n\s+at /);
  });
});
