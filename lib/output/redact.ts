/**
 * Hides secrets in text that is about to be printed or logged. Slack tokens have a recognisable shape
 * (`xoxb-…`, `xoxp-…`, `xoxe.xoxb-…`, `xapp-…`) and are replaced wherever they appear, e.g. echoed back in
 * an API error. AWS secret keys and session tokens have no shape that could be told from other base64, so
 * the values this process holds in its environment are replaced exactly.
 */
const SLACK_TOKEN = /(xox[a-z]|xapp)-[A-Za-z0-9-]+/g;

/** Variables whose values are secrets: the Slack bot token and the standard AWS credential variables. */
export const SECRET_VARIABLES = ['SLACK_BOT_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

/** Shorter values are not secrets worth hiding, and would blank out ordinary words. */
const MIN_SECRET_LENGTH = 8;

export const REDACTED = '[redacted]';

/** `text` with Slack tokens and the secret values of `env` replaced by `[redacted]`. */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let result = text.replace(SLACK_TOKEN, REDACTED);
  for (const name of SECRET_VARIABLES) {
    const value = env[name]?.trim();
    if (value !== undefined && value.length >= MIN_SECRET_LENGTH) result = result.replaceAll(value, REDACTED);
  }
  return result;
}
