import { terminalSafe } from '../output/terminal-safe.ts';

/**
 * Slack mrkdwn for text that came from event data. A git branch may legally be named
 * `fix-<!channel>-<@U0ADMIN>`; Slack reads `<…>` as a mention, channel link or URL wherever it appears in
 * mrkdwn, even with `verbatim: true`. Slack's only escapes are `&amp;`, `&lt;` and `&gt;`, so those three
 * characters are escaped in every piece of untrusted text, control and bidi characters become visible
 * `\u{…}` (as on the terminal), and backticks, which would close our code spans, become `ˋ`.
 *
 * Lengths are capped after escaping (Slack counts the escaped text), never inside an entity or a
 * surrogate pair, so a cut can neither leave a half `&lt` nor a broken emoji.
 */

/** Stands in for a backtick inside untrusted text: U+02CB MODIFIER LETTER GRAVE ACCENT. */
export const BACKTICK_STAND_IN = 'ˋ';

const ELLIPSIS = '…';

/** Escapes Slack's three control characters; nothing else is entity-encoded, as Slack asks. */
export function escapeEntities(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * Untrusted text as one line of mrkdwn: controls (newlines included) made visible, backticks replaced,
 * `&<>` escaped. Formatting characters (`*`, `_`, `~`) are left alone: they can only restyle the text,
 * and they are legitimately part of globs and names.
 */
export function escapeLine(text: string): string {
  return escapeEntities(terminalSafe(String(text)).replaceAll('`', BACKTICK_STAND_IN));
}

/**
 * Trusted multi-line text (runbooks) that may still contain `<placeholder>`s: entities escaped per line,
 * controls other than newlines made visible, backticks kept for the runbook's own code spans.
 */
export function escapeTrustedText(text: string): string {
  return text
    .split('\n')
    .map((line) => escapeEntities(terminalSafe(line)))
    .join('\n');
}

/** Where a cut of `text` at `max` is safe: not inside `&amp;`/`&lt;`/`&gt;`, not between surrogates. */
function safeCut(text: string, max: number): number {
  let cut = Math.max(0, max);
  // An entity is at most 5 characters (`&amp;`): an `&` in the last 4 before the cut without its `;`.
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp >= 0 && amp > cut - 5) {
    const semicolon = text.indexOf(';', amp);
    if (semicolon < 0 || semicolon >= cut) cut = amp;
  }
  const before = text.charCodeAt(cut - 1);
  if (cut > 0 && before >= 0xd800 && before <= 0xdbff) cut -= 1;
  return cut;
}

/** Caps already-escaped mrkdwn at `max` characters, ending with `…` when cut. */
export function capEscaped(escaped: string, max: number): string {
  if (escaped.length <= max) return escaped;
  return `${escaped.slice(0, safeCut(escaped, max - ELLIPSIS.length))}${ELLIPSIS}`;
}

/** Untrusted text as capped one-line mrkdwn. */
export function mrkdwnLine(text: string, max: number): string {
  // Escaping grows text at most 5×: cutting the raw text first keeps a 100 KB string cheap.
  return capEscaped(escapeLine(String(text).slice(0, max + 1)), max);
}

/** Untrusted text as an inline code span of at most `max` characters, backticks included. */
export function codeSpan(text: string, max: number): string {
  const inner = mrkdwnLine(text, Math.max(1, max - 2));
  return inner.trim() === '' ? '`-`' : `\`${inner}\``;
}

/** Text already known to be safe (built from validated parts) as a code block of at most `max` characters. */
export function codeBlock(text: string, max: number): string {
  return `\`\`\`${capEscaped(escapeEntities(text.replaceAll('`', BACKTICK_STAND_IN)), max - 6)}\`\`\``;
}

/**
 * Text for a `plain_text` object (the header): there Slack neither formats nor links anything, but the
 * header only ever holds trusted text; `<`, `>` and `&` are still replaced as a second line of defence.
 */
export function plainText(text: string, max: number): string {
  const safe = terminalSafe(text).replaceAll('<', '‹').replaceAll('>', '›').replaceAll('&', '+');
  if (safe.length <= max) return safe;
  return `${safe.slice(0, safeCut(safe, max - ELLIPSIS.length))}${ELLIPSIS}`;
}
