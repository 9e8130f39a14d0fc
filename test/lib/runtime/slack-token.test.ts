import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  isSlackToken,
  PLACEHOLDER_RECHECK_SECONDS,
  secretsManagerSlackToken,
} from '../../../lib/runtime/slack-token.ts';
import { type SecretsManagerStub, startSecretsManagerStub } from './secrets-manager-stub.ts';

const ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:trailguard/slack-bot-token-AbCdEf';

describe('the Slack token from Secrets Manager', () => {
  let stub: SecretsManagerStub;
  beforeAll(async () => {
    stub = await startSecretsManagerStub();
  });
  afterAll(() => stub.close());

  it('tells tokens from placeholders', () => {
    expect(isSlackToken('xoxb-1234-5678-abcdef')).toBe(true);
    expect(isSlackToken('xoxe.xoxb-1-abcdefgh')).toBe(true);
    expect(isSlackToken('Zq8pW2nX4kR7tY1uB3vC5dE6fG9hJ0aL')).toBe(false);
    expect(isSlackToken(undefined)).toBe(false);
  });

  it('reads a real token once per process', async () => {
    stub.secrets.set(ARN, 'xoxb-1111-2222-real');
    stub.calls.length = 0;
    const source = secretsManagerSlackToken(ARN, stub.client);
    expect(await source.token()).toBe('xoxb-1111-2222-real');
    expect(await source.token()).toBe('xoxb-1111-2222-real');
    expect(stub.calls).toEqual([`secretsmanager.GetSecretValue ${ARN}`]);
  });

  it('accepts the console key/value form {"token": "xoxb-…"}', async () => {
    const arn = `${ARN}-json`;
    stub.secrets.set(arn, JSON.stringify({ token: 'xoxb-3333-json' }));
    expect(await secretsManagerSlackToken(arn, stub.client).token()).toBe('xoxb-3333-json');
  });

  it('re-reads a placeholder only after the recheck interval, then keeps the token it finds', async () => {
    const arn = `${ARN}-placeholder`;
    stub.secrets.set(arn, 'Zq8pW2nX4kR7tY1uB3vC5dE6fG9hJ0aL');
    stub.calls.length = 0;
    const source = secretsManagerSlackToken(arn, stub.client);
    // Only Date is faked: the SDK's sockets and timers run for real against the stub.
    vi.useFakeTimers({ toFake: ['Date'] });
    let now = Date.now();
    try {
      expect(await source.token()).toBeUndefined();
      stub.secrets.set(arn, 'xoxb-4444-filled-in');
      expect(await source.token()).toBeUndefined();
      expect(stub.calls).toHaveLength(1);
      now += PLACEHOLDER_RECHECK_SECONDS * 1000 + 1000;
      vi.setSystemTime(now);
      expect(await source.token()).toBe('xoxb-4444-filled-in');
      now += PLACEHOLDER_RECHECK_SECONDS * 1000 * 10;
      vi.setSystemTime(now);
      expect(await source.token()).toBe('xoxb-4444-filled-in');
      expect(stub.calls).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
