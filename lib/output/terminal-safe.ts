/**
 * Makes untrusted text safe to print on a terminal. Event data (branch names, OIDC subjects, session
 * names, user agents, error messages) is written by whoever is attacking: an ESC byte could recolour,
 * move the cursor, rewrite the screen or set the window title, and bidi controls can reorder what a
 * reader sees. Every C0/C1 control, DEL and bidi/zero-width control becomes a visible `\u{…}` escape;
 * printable text (including non-ASCII letters) passes through unchanged.
 */

/** The unsafe characters but the C0 controls: DEL, C1, zero-width and bidi controls, BOM. */
const BEYOND_C0 = '\\u007f-\\u009f\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2069\\ufeff';
const UNSAFE_CLASS = `[\\u0000-\\u001f${BEYOND_C0}]`;
/** The same without LF, for text whose line breaks are its own (a multi-line CSV cell). */
const UNSAFE_BUT_LF_CLASS = `[\\u0000-\\u0009\\u000b-\\u001f${BEYOND_C0}]`;
/** Non-global for the cheap check (a global regex's `test` is stateful); global for the replacement. */
const HAS_UNSAFE = new RegExp(UNSAFE_CLASS);
const ALL_UNSAFE = new RegExp(UNSAFE_CLASS, 'g');
const HAS_UNSAFE_BUT_LF = new RegExp(UNSAFE_BUT_LF_CLASS);
const ALL_UNSAFE_BUT_LF = new RegExp(UNSAFE_BUT_LF_CLASS, 'g');

export function terminalSafe(text: string): string {
  return HAS_UNSAFE.test(text) ? text.replace(ALL_UNSAFE, escapeChar) : text;
}

/**
 * {@link terminalSafe} that keeps line feeds: for output where a line break inside a value is quoted and
 * harmless (CSV). CR is still escaped: it returns the cursor and hides what came before it.
 */
export function terminalSafeKeepingLines(text: string): string {
  return HAS_UNSAFE_BUT_LF.test(text) ? text.replace(ALL_UNSAFE_BUT_LF, escapeChar) : text;
}

function escapeChar(char: string): string {
  return `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}`;
}
