/**
 * CSV for spreadsheets (RFC 4180 quoting, `\n` line ends). Cells hold attacker-written text (user agents,
 * subjects, session names), and two readers of a CSV file act on it:
 * - a spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, tab or CR as a formula
 *   (`=HYPERLINK(…)`, DDE payloads), and some also when spaces come first or the sign is full-width
 *   (`＝`), which they normalize. Such cells get a leading `'`, which spreadsheets read as "this is text"
 *   (OWASP CSV injection guidance);
 * - a terminal (`query -f csv` to stdout, `cat` of the file) acts on ESC sequences, and CR or bidi
 *   controls hide or reorder what a reader sees. CSV has no escape of its own, so every control character
 *   except the line feed of multi-line text becomes a visible `\u{…}` escape, as on the terminal.
 */

import { terminalSafeKeepingLines } from './terminal-safe.ts';

/** A value in a CSV row; `null`/`undefined` become an empty cell. */
export type CsvValue = string | number | boolean | null | undefined;

/**
 * A cell a spreadsheet may evaluate: after any spaces (ASCII, no-break, ideographic), a formula sign in
 * its ASCII or full-width form. Tab and CR, triggers on their own, never reach this test: they are
 * escaped first.
 */
const FORMULA_START = /^[ \u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]/;
/** CR never gets here: it is escaped with the other controls. */
const NEEDS_QUOTES = /[",\n]/;

/**
 * One CSV field. Controls are escaped, text that a spreadsheet would evaluate is defused with `'`, and the
 * field is quoted when it holds a comma, quote or LF, with quotes doubled. Numbers and booleans are
 * written as is: they are ours, not event text.
 */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const visible = terminalSafeKeepingLines(value);
  const text = FORMULA_START.test(visible) ? `'${visible}` : visible;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A header line and one line per row, each ending in `\n`. */
export function formatCsv(headers: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  const lines = [headers.map(csvField).join(',')];
  for (const row of rows) lines.push(row.map(csvField).join(','));
  return `${lines.join('\n')}\n`;
}
