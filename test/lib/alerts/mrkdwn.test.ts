import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BACKTICK_STAND_IN,
  capEscaped,
  codeSpan,
  escapeEntities,
  escapeLine,
  mrkdwnLine,
  plainText,
} from '../../../lib/alerts/mrkdwn.ts';
import { HOSTILE, HUGE } from './hostile.ts';

/** Strings dense in what matters here: Slack's control characters, entities, backticks, surrogates. */
const markupText = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '<',
        '>',
        '&',
        '`',
        '!',
        '@',
        '#',
        '|',
        'amp;',
        'lt;',
        '🔥',
        '\n',
        '\u202e',
        '\ud800',
        ' ',
      ),
      fc.string({ maxLength: 3 }),
    ),
    { maxLength: 200 },
  )
  .map((parts) => parts.join(''));

/** Every `&` starts one of Slack's three entities, and no raw `<` or `>` is left. */
function wellFormed(text: string): boolean {
  return !/[<>]/.test(text) && !/&(?!amp;|lt;|gt;)/.test(text);
}

describe('mrkdwn escaping', () => {
  it('escapes exactly &, < and > (Slack asks for nothing else)', () => {
    expect(escapeEntities('a & b <!channel> "c" \'d\'')).toBe('a &amp; b &lt;!channel&gt; "c" \'d\'');
    expect(escapeEntities('&lt;')).toBe('&amp;lt;');
  });

  it('turns every hostile string into text with no Slack markup left', () => {
    for (const text of HOSTILE) {
      const line = escapeLine(text);
      expect(wellFormed(line), JSON.stringify(text)).toBe(true);
      expect(line).not.toContain('`');
      expect([...line].some((c) => (c.codePointAt(0) ?? 0) < 0x20 || c === '\u202e' || c === '\u200b')).toBe(
        false,
      );
    }
    expect(escapeLine('fix-<!channel>-<@U0ADMIN>')).toBe('fix-&lt;!channel&gt;-&lt;@U0ADMIN&gt;');
    expect(escapeLine('a\nb\u202Ec')).toBe('a\\u{a}b\\u{202e}c');
    expect(escapeLine('run `rm -rf`')).toBe(`run ${BACKTICK_STAND_IN}rm -rf${BACKTICK_STAND_IN}`);
  });

  it('never cuts inside an entity or a surrogate pair', () => {
    const escaped = escapeLine('<<<<<<<<<<');
    for (let max = 1; max <= escaped.length + 1; max++) {
      const cut = capEscaped(escaped, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(wellFormed(cut.replace(/…$/, ''))).toBe(true);
    }
    const emoji = '🔥'.repeat(10);
    for (let max = 2; max < 20; max++) {
      const cut = capEscaped(emoji, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    }
  });

  it('caps 100 KB of hostile text cheaply and correctly', () => {
    const started = performance.now();
    const line = mrkdwnLine(HUGE, 3000);
    expect(line.length).toBeLessThanOrEqual(3000);
    expect(line.endsWith('…')).toBe(true);
    expect(wellFormed(line.slice(0, -1))).toBe(true);
    // Linear in the cap, not the input: generous bound for a loaded CI machine.
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('keeps code spans closed whatever the value holds', () => {
    for (const text of HOSTILE) {
      const span = codeSpan(text, 80);
      expect(span.length).toBeLessThanOrEqual(80);
      expect(span.startsWith('`') && span.endsWith('`')).toBe(true);
      expect(span.slice(1, -1)).not.toContain('`');
    }
    expect(codeSpan('', 10)).toBe('`-`');
  });

  it('holds for any string (property)', () => {
    fc.assert(
      fc.property(markupText, fc.integer({ min: 3, max: 300 }), (text, max) => {
        const line = mrkdwnLine(text, max);
        expect(line.length).toBeLessThanOrEqual(max);
        expect(wellFormed(line.replace(/…$/, ''))).toBe(true);
        const span = codeSpan(text, max);
        expect(span.length).toBeLessThanOrEqual(Math.max(max, 3));
        expect(span.slice(1, -1)).not.toContain('`');
      }),
    );
  });

  it('keeps markup characters out of plain_text too', () => {
    const text = plainText('🔴 CRITICAL: <!channel> & co', 150);
    expect(text).toBe('🔴 CRITICAL: ‹!channel› + co');
    expect(plainText('x'.repeat(500), 150)).toHaveLength(150);
  });
});
