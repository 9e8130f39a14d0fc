import type { Finding } from '../../../lib/engine/finding.ts';

/**
 * Strings an attacker can put into event data (branch names, subjects, session names, user agents,
 * request parameters, error messages), for checking that none of them turns into Slack markup.
 */
export const HOSTILE: readonly string[] = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<@U123>',
  '<@U0ADMIN|admin>',
  '<#C123>',
  '<#C123|general>',
  '<!subteam^S1>',
  '<!subteam^S1|@security>',
  '<!date^1392734382^{date}|Feb 18>',
  '<https://evil.example|click>',
  '<http://evil.example>',
  '<mailto:a@evil.example|mail>',
  'fix-<!channel>-<@U0ADMIN>',
  '&lt;!channel&gt;',
  '&amp;lt;@U123&amp;gt;',
  '*bold* _italic_ ~strike~ `code` ```block```',
  '`<!here>`',
  '> quoted <!here>',
  'line1\n<!here>\r\nline2',
  '\u0000\u0007\u001b[31mred\u001b[0m\u009b',
  'admin\u202Egnp.exe <!channel>',
  '\u200b<\u200b!channel\u200b>',
  '🔥<!channel>🔥 👩‍👩‍👧‍👦',
  '<<!channel>>',
  '<!channel',
  '!channel>',
  '@here @channel @everyone',
  '\ud800<!here>',
];

/** A 100 KB hostile string: a mention every few characters, an emoji, an entity and a backtick. */
export const HUGE = '<!channel>🔥&`'.repeat(8_000);

/** A finding whose every attacker-influenced field holds `text`. */
export function hostileFinding(text: string, overrides: Partial<Finding> = {}): Finding {
  return {
    id: 'tg-0123456789abcdef0123',
    detector: 'oidc-unexpected-subject',
    severity: 'critical',
    title: 'CI OIDC role assumed by an unexpected subject',
    summary: `repo:acme/shop:ref:refs/heads/${text} → deploy-shop-prod: subject not allowed [success]`,
    time: '2026-11-20T09:31:00.000Z',
    account: '111122223333',
    region: 'us-east-1',
    principal: `arn:aws:iam::111122223333:role/${text}`,
    subject: `repo:acme/shop:ref:refs/heads/${text}`,
    pipeline: `shop-${text}`,
    environment: text,
    eventIds: ['00000000-example-4000-8000-000000000014', text],
    runbook: `1. Look at ${text}\n2. Then act.`,
    count: 3,
    firstSeen: '2026-11-20T09:30:00.000Z',
    lastSeen: '2026-11-20T09:31:00.000Z',
    details: {
      sessionName: text,
      userAgent: text,
      issuedAccessKeyId: text,
      accessKeyId: 'ASIAEXAMPLEFEATURE01',
      request: { roleName: text },
      errorMessage: text,
    },
    ...overrides,
  };
}
