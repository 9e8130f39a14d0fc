/**
 * Makes untrusted text safe to print on a terminal. Event data (branch names, OIDC subjects, session
 * names, user agents, error messages) is written by whoever is attacking: an ESC byte could recolour,
 * move the cursor, rewrite the screen or set the window title, and bidi controls can reorder what a
 * reader sees. Every C0/C1 control, DEL and bidi/zero-width control becomes a visible `\u{…}` escape;
 * printable text (including non-ASCII letters) passes through unchanged.
 */
const UNSAFE_CLASS = '[\\u0000-\\u001f\\u007f-\\u009f\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2069\\ufeff]';
/** Non-global for the cheap check (a global regex's `test` is stateful); global for the replacement. */
const HAS_UNSAFE = new RegExp(UNSAFE_CLASS);
const ALL_UNSAFE = new RegExp(UNSAFE_CLASS, 'g');

export function terminalSafe(text: string): string {
  return HAS_UNSAFE.test(text) ? text.replace(ALL_UNSAFE, escapeChar) : text;
}

function escapeChar(char: string): string {
  return `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}`;
}
