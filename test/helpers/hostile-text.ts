/**
 * Text an attacker can put into CloudTrail fields (branch names, OIDC subjects, session names, user
 * agents, request parameters, error messages), aimed at each place trailguard prints: the terminal (ANSI
 * escapes, C1 controls, bidi overrides), spreadsheets (formula triggers), Slack (mentions, links), logs
 * (line breaks) and code that assumes shape (NUL, lone surrogates, `__proto__`, glob metacharacters).
 */
export const HOSTILE_TEXT: readonly string[] = [
  'main\u001b[2J\u001b[H',
  'feat\u001b]0;owned\u0007',
  '\u001b[31mred\u001b[0m',
  'c1\u009bcontrol\u0085next',
  'x\r\nFAKE LINE',
  'line1\nline2',
  'nul\u0000byte',
  'del\u007f',
  'admin\u202Egnp.exe',
  '\u2066isolate\u2069',
  'zero\u200bwidth\ufeff',
  "=cmd|' /C calc'!A0",
  '+SUM(1,2)',
  '-2+3',
  '@SUM(A1)',
  '\tTAB',
  '\rCR',
  '=HYPERLINK("https://evil.example","x")',
  ' =1+1',
  '\uff1dHYPERLINK("https://evil.example")',
  '<!channel>',
  '<@U0ADMIN|admin>',
  '<https://evil.example|click>',
  '*bold* `code` ```block```',
  '\ud800lone',
  '__proto__',
  'constructor',
  '*?[]{}()+|^$\\',
  `${'a'.repeat(300)}!`,
  '🔥👩‍👩‍👧‍👦',
];

/** Escape sequences and controls that must never reach a terminal raw: ESC, C1 controls, bidi overrides. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: this is the list of what must not get through.
export const RAW_TERMINAL_CONTROL = /[\u001b\u0080-\u009f\u202a-\u202e\u2066-\u2069]/;

/** A string of several MB, for fields that end up in messages, ids and findings. */
export function hugeText(bytes = 3 * 1024 * 1024): string {
  const unit = '\u001b[2J<!channel>=cmd|';
  return unit.repeat(Math.ceil(bytes / unit.length));
}
