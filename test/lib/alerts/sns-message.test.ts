import { describe, expect, it } from 'vitest';
import {
  boundedFindingJson,
  publishInput,
  snsAttributes,
  snsSubject,
} from '../../../lib/alerts/sns-message.ts';
import type { Finding } from '../../../lib/engine/finding.ts';
import { HUGE, hostileFinding } from './hostile.ts';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:trailguard-alerts';

describe('SNS message', () => {
  it('carries the finding JSON, an ASCII subject under 100 characters and filterable attributes', () => {
    const finding = hostileFinding('main');
    const input = publishInput(TOPIC, finding);
    expect(JSON.parse(input.Message as string)).toEqual(finding);
    expect(input.Subject).toBe(
      '[CRITICAL] CI OIDC role assumed by an unexpected subject tg-0123456789abcdef0123',
    );
    expect(input.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'critical' },
      detector: { DataType: 'String', StringValue: 'oidc-unexpected-subject' },
      findingId: { DataType: 'String', StringValue: 'tg-0123456789abcdef0123' },
      account: { DataType: 'String', StringValue: '111122223333' },
      pipeline: { DataType: 'String', StringValue: 'shop-main' },
      environment: { DataType: 'String', StringValue: 'main' },
    });
    expect(input.MessageGroupId).toBeUndefined();
  });

  it('leaves out attributes the finding does not have', () => {
    const { account: _a, pipeline: _p, environment: _e, ...bare } = hostileFinding('x');
    expect(Object.keys(snsAttributes(bare as Finding))).toEqual(['severity', 'detector', 'findingId']);
    expect(Object.keys(snsAttributes({ ...bare, pipeline: '\u0000\u001b' } as Finding))).not.toContain(
      'pipeline',
    );
  });

  it('keeps the subject valid whatever the title holds', () => {
    for (const title of ['Ünïcode “quotes” 🔥', 'line\nbreak\ttab', HUGE]) {
      const subject = snsSubject(hostileFinding('x', { title }));
      expect(subject.length).toBeLessThan(100);
      expect(subject).toMatch(/^\[CRITICAL\] [\x20-\x7e]*tg-0123456789abcdef0123$/);
    }
  });

  it('drops details rather than exceed the SNS size limit', () => {
    const big = hostileFinding('x', { details: { request: { policy: 'p'.repeat(400_000) } } });
    const text = boundedFindingJson(big);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(250 * 1024);
    const parsed = JSON.parse(text) as Finding;
    expect(parsed.id).toBe(big.id);
    expect(String(parsed.details?.truncated)).toMatch(/details dropped: the finding was \d+ bytes/);
    const huge = hostileFinding('x', { summary: 's'.repeat(300_000), details: {} });
    expect(Buffer.byteLength(boundedFindingJson(huge))).toBeLessThanOrEqual(250 * 1024);
  });

  it('deduplicates on FIFO topics by finding id', () => {
    const input = publishInput(`${TOPIC}.fifo`, hostileFinding('x'));
    expect(input.MessageDeduplicationId).toBe('tg-0123456789abcdef0123');
    expect(input.MessageGroupId).toBe('oidc-unexpected-subject');
  });
});
