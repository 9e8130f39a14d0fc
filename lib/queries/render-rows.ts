import { formatCsv } from '../output/csv.ts';
import { formatTable } from '../output/format-table.ts';
import { jsonText } from '../output/json-text.ts';
import type { Cell, Column, QueryDefinition, Row } from './query-types.ts';

/**
 * The three ways rows leave the process: `jsonl` (one JSON object per row, every column present, `null`
 * for unknown, lists as arrays), `csv` (header + rows, formula-injection safe, lists as JSON arrays so a
 * `,` or `;` inside a user agent stays unambiguous) and `table` (for people: every cell through
 * `terminalSafe` by `formatTable`, lists comma-joined, unknown as `-`).
 */

export const QUERY_FORMATS = ['table', 'jsonl', 'csv'] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];

function ordered(columns: readonly Column[], row: Row): Record<string, Cell> {
  const object: Record<string, Cell> = {};
  for (const { key } of columns) object[key] = row[key] ?? null;
  return object;
}

export function renderJsonl(columns: readonly Column[], rows: readonly Row[]): string {
  return rows.map((row) => `${jsonText(ordered(columns, row))}\n`).join('');
}

function csvValue(cell: Cell | undefined): string | number | boolean | null {
  if (cell === undefined || cell === null) return null;
  return Array.isArray(cell) ? JSON.stringify(cell) : (cell as string | number | boolean);
}

export function renderCsv(columns: readonly Column[], rows: readonly Row[]): string {
  return formatCsv(
    columns.map((c) => c.key),
    rows.map((row) => columns.map((c) => csvValue(row[c.key]))),
  );
}

/** A table cell's text (not yet terminal-safe: `formatTable` does that for every cell). */
export function tableCell(cell: Cell | undefined): string {
  if (cell === undefined || cell === null || cell === '') return '-';
  if (Array.isArray(cell)) return cell.length === 0 ? '-' : cell.join(', ');
  return String(cell);
}

export function renderGenericTable(columns: readonly Column[], rows: readonly Row[]): string {
  return formatTable(
    rows.map((row) => columns.map((c) => tableCell(row[c.key]))),
    { headers: columns.map((c) => c.header), maxWidths: columns.map((c) => c.width) },
  );
}

/** The rows in `format`, ending in a newline; a query's own table when it has one. */
export function renderRows<P>(
  definition: QueryDefinition<P>,
  rows: readonly Row[],
  format: QueryFormat,
  params: P,
): string {
  if (format === 'jsonl') return renderJsonl(definition.columns, rows);
  if (format === 'csv') return renderCsv(definition.columns, rows);
  const table = definition.table
    ? definition.table(rows, definition.columns, params)
    : rows.length === 0
      ? 'No rows.'
      : renderGenericTable(definition.columns, rows);
  return `${table}\n`;
}
