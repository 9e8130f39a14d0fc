import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * How long a secret that holds no Slack token yet (the placeholder the stack creates) is cached before it
 * is read again: the deployer fills it in after the first deploy, and warm functions should notice
 * without waiting for a cold start.
 */
export const PLACEHOLDER_RECHECK_SECONDS = 300;

/** Bot, user and rotating tokens all start `xox` (`xoxb-`, `xoxp-`, `xoxe.xoxb-`). */
export function isSlackToken(value: string | undefined): value is string {
  return value?.startsWith('xox') === true && value.length > 10;
}

export interface SlackTokenSource {
  /** The bot token, or undefined while the secret holds no token. Never logged by this module. */
  token(): Promise<string | undefined>;
}

/**
 * The Slack bot token from Secrets Manager, read through Powertools' cache: once per cold start when it
 * holds a token (kept for the life of the process), at most every `PLACEHOLDER_RECHECK_SECONDS` while it
 * holds anything else. The secret may be the bare token or JSON `{"token": "xoxb-…"}`.
 */
export function secretsManagerSlackToken(secretArn: string, client?: SecretsManagerClient): SlackTokenSource {
  const provider = new SecretsProvider(client ? { awsSdkV3Client: client } : {});
  let token: string | undefined;
  return {
    async token() {
      if (token !== undefined) return token;
      const value = await provider.get(secretArn, { maxAge: PLACEHOLDER_RECHECK_SECONDS });
      const text = typeof value === 'string' ? value.trim() : undefined;
      const candidate = text?.startsWith('{') ? tokenField(text) : text;
      if (isSlackToken(candidate)) token = candidate;
      return token;
    },
  };
}

function tokenField(json: string): string | undefined {
  try {
    const parsed = JSON.parse(json) as { token?: unknown };
    return typeof parsed.token === 'string' ? parsed.token.trim() : undefined;
  } catch {
    return undefined;
  }
}
