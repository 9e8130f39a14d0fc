import { beforeAll, describe, expect, it } from 'vitest';
import { traceCommand } from '../../../lib/alerts/finding-links.ts';
import { findingMessage, groupMessage, MAX_GROUP } from '../../../lib/alerts/slack-message.ts';
import type { Finding } from '../../../lib/engine/finding.ts';
import { exampleFindings } from './example-findings.ts';
import { HOSTILE, HUGE, hostileFinding } from './hostile.ts';
import { expectNoInjectedMarkup, expectWithinLimits, messageTexts } from './slack-assertions.ts';

let examples: Finding[] = [];
beforeAll(async () => {
  examples = await exampleFindings();
});
const byDetector = (id: string) => examples.find((f) => f.detector === id) as Finding;

describe('Slack message for one finding', () => {
  it('leads with severity and what happened, then who, where, when, what to do and how to dig', () => {
    const finding = byDetector('oidc-unexpected-subject');
    const message = findingMessage(finding, { traceSources: ['examples/AWSLogs'] });
    const [head, what, fields, ...rest] = message.blocks;
    expect(head).toEqual({
      type: 'header',
      text: {
        type: 'plain_text',
        text: '🔴 CRITICAL: CI OIDC role assumed by an unexpected subject',
        emoji: true,
      },
    });
    expect(what).toMatchObject({ type: 'section', text: { text: finding.summary } });
    const fieldText = (fields as { fields: { text: string }[] }).fields.map((f) => f.text);
    expect(fieldText).toEqual([
      '*Principal*\n`arn:aws:iam::111122223333:role/deploy-shop-prod`',
      '*Pipeline*\n`shop-prod (prod)`',
      '*Repository*\n`acme/shop`',
      '*Branch*\n`feature/add-cache`',
      '*Subject*\n`repo:acme/shop:ref:refs/heads/feature/add-cache`',
      '*Account / region*\n`111122223333 / us-east-1`',
      '*Time*\n2026-11-20T09:31:00.000Z',
      `*Finding*\n\`${finding.id}\` oidc-unexpected-subject`,
    ]);
    const texts = rest.map((b) => (b.type === 'section' ? b.text?.text : undefined));
    expect(texts[0]).toMatch(/^\*Next steps\*\n1\. If it succeeded/);
    expect(texts[1]).toBe(
      '*Trace it*\n```trailguard query session --access-key-id ASIAEXAMPLEFEATURE01 --since 2026-11-20T08:31:00.000Z examples/AWSLogs```',
    );
    expect(texts[2]).toBe(
      '*CloudTrail events*\n<https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events/00000000-example-4000-8000-000000000014|00000000-example-4000-8000-000000000014>',
    );
    expect(message.text).toContain(finding.id);
    expectWithinLimits(message);
  });

  it('shows the count and window of windowed findings, and links at most 5 events', () => {
    const finding = byDetector('access-denied-spike');
    const message = findingMessage(finding);
    const fields = (message.blocks[2] as { fields: { text: string }[] }).fields.map((f) => f.text);
    expect(fields).toContain(`*Count*\n20 events between ${finding.firstSeen} and ${finding.lastSeen}`);
    const links = messageTexts(message).find((t) => t.startsWith('*CloudTrail events*')) ?? '';
    expect(links.match(/<https:/g)).toHaveLength(5);
    expect(links).toContain('…and 15 more event ids in the finding');
  });

  it('gives every detector a message inside the limits that names the finding id', () => {
    for (const finding of examples) {
      const message = findingMessage(finding);
      expectWithinLimits(message);
      expectNoInjectedMarkup(message);
      expect(messageTexts(message).join('\n')).toContain(finding.id);
    }
  });

  it('lets no hostile string become a mention, a channel link or a URL', () => {
    for (const text of HOSTILE) {
      const message = findingMessage(hostileFinding(text), { traceSources: [text] });
      expectNoInjectedMarkup(message);
      expectWithinLimits(message);
    }
  });

  it('stays inside every Block Kit limit with 100 KB in each field', () => {
    const finding = hostileFinding(HUGE, { title: HUGE, detector: HUGE, runbook: HUGE, eventIds: [] });
    const message = findingMessage(finding);
    expectWithinLimits(message);
    expectNoInjectedMarkup(message);
  });

  it('links only event ids and regions of a strict shape', () => {
    const finding = hostileFinding('x', {
      eventIds: ['ok-1', 'evil/../x', 'a|b', '<!here>', 'javascript:alert(1)', 'ok-2'],
    });
    const links =
      messageTexts(findingMessage(finding)).find((t) => t.startsWith('*CloudTrail events*')) ?? '';
    expect(links.match(/#\/events\/([^|]+)\|/g)).toEqual(['#/events/ok-1|', '#/events/ok-2|']);
    for (const region of ['apiso-centralnorth-2r', 'us-east-1.evil.example', 'cn-north-1', '<!here>']) {
      const texts = messageTexts(findingMessage({ ...finding, region }));
      expect(texts.some((t) => t.includes('console.aws.amazon.com'))).toBe(false);
    }
  });
});

describe('trace command', () => {
  it('traces the access keys a finding names, else its principal, with only safe words', () => {
    const finding = byDetector('agent-change-rate');
    expect(traceCommand(finding, ['logs:org-trail'])).toBe(
      'trailguard query session --access-key-id ASIAEXAMPLEAGENT0001 --since 2026-11-20T08:46:00.000Z logs:org-trail',
    );
    const keyless = { ...finding, details: {} };
    expect(traceCommand(keyless, undefined)).toBe(
      'trailguard query principal arn:aws:iam::111122223333:role/ai-release-agent --since 2026-11-20T08:46:00.000Z SOURCE',
    );
    expect(
      traceCommand({ ...keyless, principal: 'arn:aws:iam::1:role/$(reboot)' }, undefined),
    ).toBeUndefined();
    expect(traceCommand(finding, ["my logs/it's here"])).toMatch(/'my logs\/it'\\''s here'$/);
  });
});

describe('grouped Slack message', () => {
  const finding = (i: number, severity: Finding['severity'] = 'high'): Finding => ({
    ...hostileFinding(`b${i}<!channel>`),
    id: `tg-${String(i).padStart(20, '0')}`,
    severity,
    time: `2026-11-20T09:31:${String(i % 60).padStart(2, '0')}.000Z`,
  });

  it('names each finding id once, worst first, with one header and count', () => {
    const group = [finding(1), finding(2, 'critical'), finding(3, 'medium')];
    const message = groupMessage(group);
    expect(message.blocks[0]).toMatchObject({ text: { text: '🔴 CRITICAL: 3 findings for one principal' } });
    const all = messageTexts(message).join('\n');
    for (const f of group) expect(all).toContain(f.id);
    const order = message.blocks
      .map((b) => (b.type === 'section' ? (b.text?.text.match(/tg-0+(\d)/)?.[1] ?? '') : ''))
      .filter(Boolean);
    expect(order).toEqual(['2', '1', '3']);
    for (const f of group) expect(message.text).toContain(f.id);
    expectNoInjectedMarkup(message);
  });

  it('fits the largest group of 100 KB findings in the limits', () => {
    const group = Array.from({ length: MAX_GROUP }, (_, i) => ({
      ...finding(i),
      summary: HUGE,
      title: HUGE,
      runbook: HUGE,
    }));
    const message = groupMessage(group);
    expectWithinLimits(message);
    expectNoInjectedMarkup(message);
    const all = messageTexts(message).join('\n');
    for (const f of group) expect(all).toContain(f.id);
  });
});
