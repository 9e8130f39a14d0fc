/**
 * CSV for spreadsheets (RFC 4180 quoting, `\n` line ends). Cells hold attacker-written text (user agents,
 * subjects, session names), and a spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, tab or CR
 * as a formula (`=HYPERLINK(…)`, DDE payloads), so such text cells get a leading `'`, which spreadsheets
 * read as "this is text" (OWASP CSV injection guidance).
 */

/** A value in a CSV row; `null`/`undefined` become an empty cell. */
export type CsvValue = string | number | boolean | null | undefined;

/** First characters that make a spreadsheet evaluate a cell. */
const FORMULA_TRIGGERS: ReadonlySet<string> = new Set(['=', '+', '-', '@', '\t', '\r']);
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV field. Text that a spreadsheet would evaluate is defused with `'`; the field is quoted when it
 * holds a comma, quote, CR or LF, with quotes doubled. Numbers and booleans are written as is: they are
 * ours, not event text.
 */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const text = FORMULA_TRIGGERS.has(value.charAt(0)) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A header line and one line per row, each ending in `\n`. */
export function formatCsv(headers: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  const lines = [headers.map(csvField).join(',')];
  for (const row of rows) lines.push(row.map(csvField).join(','));
  return `${lines.join('\n')}\n`;
}
