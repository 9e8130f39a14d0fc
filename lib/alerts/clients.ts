import { SNSClient } from '@aws-sdk/client-sns';
import { LogLevel, type RetryOptions, WebClient } from '@slack/web-api';
import { EXIT, TrailguardError } from '../errors.ts';
import { redactSecrets } from '../output/redact.ts';

/**
 * The Slack and SNS clients alerts use, with bounded retries and timeouts: the SDK defaults retry a 500
 * for half an hour (Slack) or without a request timeout (SNS), far past a Lambda's life.
 */

/** A sink is configured but cannot be used (a missing token); the message names what to set. */
export class AlertSetupError extends TrailguardError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'AlertSetupError';
  }
}

export const SLACK_TOKEN_VARIABLE = 'SLACK_BOT_TOKEN';
export const SLACK_URL_VARIABLE = 'SLACK_API_URL';

/** Three tries over about a second for 5xx and network errors; 429s are handled by SlackSender. */
export const SLACK_RETRY: RetryOptions = { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2000 };
/** Per request, so one hung connection cannot hold a flush. */
export const SLACK_TIMEOUT_MS = 10_000;

/** A WebClient from `SLACK_BOT_TOKEN` (and `SLACK_API_URL`, to point it elsewhere, e.g. a test server). */
export function slackClientFromEnv(env: NodeJS.ProcessEnv = process.env): WebClient {
  const token = env[SLACK_TOKEN_VARIABLE];
  if (token === undefined || token.trim() === '') {
    throw new AlertSetupError(
      `Slack is configured in alerts but ${SLACK_TOKEN_VARIABLE} is not set: export the bot token (xoxb-…) of an app with chat:write`,
    );
  }
  const url = env[SLACK_URL_VARIABLE];
  return new WebClient(token.trim(), {
    slackApiUrl: url ? (url.endsWith('/') ? url : `${url}/`) : undefined,
    retryConfig: SLACK_RETRY,
    timeout: SLACK_TIMEOUT_MS,
    // 429s come back to SlackSender, which waits out Retry-After itself and can stop a run early.
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
  });
}

/** An SNS client from the standard AWS chain (region, credentials, `AWS_ENDPOINT_URL_SNS`). */
export function snsClientFromEnv(): SNSClient {
  return new SNSClient({
    maxAttempts: 3,
    // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes.
    requestHandler: { requestTimeout: 10_000, connectionTimeout: 3_000, throwOnRequestTimeout: true },
  });
}

/**
 * Hides secrets in text that may be printed or logged (error messages, request echoes): Slack tokens by
 * their shape, and the token and AWS credentials this process holds (lib/output/redact.ts).
 */
export function redactTokens(text: string): string {
  return redactSecrets(text);
}
