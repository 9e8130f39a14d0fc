import { describe, expect, it } from 'vitest';
import { formatFindingsTable } from '../../../lib/output/format-findings.ts';
import { terminalSafe, terminalSafeKeepingLines } from '../../../lib/output/terminal-safe.ts';

/** Strings an attacker can put in a branch name, session name, user agent or error message. */
const HOSTILE = [
  'main\u001b[2J\u001b[H',
  'feat\u001b]0;owned\u0007',
  'x\r\nFAKE LINE',
  'rtl\u202eexe.txt',
  'zero\u200bwidth',
  'c1\u009bcontrol',
  'del\u007f',
];

describe('terminalSafe', () => {
  it.each(HOSTILE)('escapes every control character in %j', (text) => {
    const safe = terminalSafe(text);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence.
    expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e]/);
    expect(safe).toContain('\\u{');
  });

  it('leaves printable text alone, including non-ASCII letters', () => {
    expect(terminalSafe('repo:acme/shop:ref:refs/heads/fix-<!channel>-ünïcødé')).toBe(
      'repo:acme/shop:ref:refs/heads/fix-<!channel>-ünïcødé',
    );
  });

  it('keeps hostile text out of the findings table', () => {
    const table = formatFindingsTable([
      {
        id: 'tg-1',
        detector: 'oidc-unexpected-subject',
        severity: 'critical',
        title: 't',
        summary: `assumed from ${HOSTILE.join(' ')}`,
        time: '2026-11-20T10:00:00.000Z',
        principal: 'arn:aws:iam::111122223333:role/deploy\u001b[31m',
        eventIds: ['e'],
        runbook: 'r',
      },
    ]);
    expect(table).not.toContain('\u001b');
    expect(table).not.toContain('\r');
    expect(table.split('\n')).toHaveLength(2);
  });
});

describe('terminalSafeKeepingLines', () => {
  it('keeps line feeds and escapes everything terminalSafe does, CR included', () => {
    expect(terminalSafeKeepingLines('one\ntwo')).toBe('one\ntwo');
    expect(terminalSafeKeepingLines('ok\rhidden\u001b[2J\u009b\u202e\u200b\t')).toBe(
      'ok\\u{d}hidden\\u{1b}[2J\\u{9b}\\u{202e}\\u{200b}\\u{9}',
    );
    // Line by line, it is terminalSafe.
    for (const text of HOSTILE) {
      expect(terminalSafeKeepingLines(text)).toBe(text.split('\n').map(terminalSafe).join('\n'));
    }
  });
});
