/**
 * JSON for stdout. `JSON.stringify` escapes C0 controls (ESC included) but writes C1 controls (U+0080-U+009F,
 * where U+009B is a one-character CSI), bidi overrides and zero-width characters raw, and event data holds
 * whatever the caller wrote: `trailguard detect -f json` read on a terminal would reorder or restyle text.
 * Those characters can only occur inside JSON strings, so writing them as `\uXXXX` escapes keeps the
 * document valid and every value identical.
 */
const UNSAFE_CLASS = '[\\u007f-\\u009f\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2069\\ufeff]';
/** Non-global for the cheap check (a global regex's `test` is stateful); global for the replacement. */
const HAS_UNSAFE = new RegExp(UNSAFE_CLASS);
const ALL_UNSAFE = new RegExp(UNSAFE_CLASS, 'g');

/** `JSON.stringify(value, null, space)` with no raw C1, bidi or zero-width character in the text. */
export function jsonText(value: unknown, space?: number): string {
  const text = JSON.stringify(value, null, space);
  return HAS_UNSAFE.test(text) ? text.replace(ALL_UNSAFE, escapeChar) : text;
}

function escapeChar(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
