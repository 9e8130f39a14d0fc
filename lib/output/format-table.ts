import { terminalSafe } from './terminal-safe.ts';

/** Options for a plain-text table. */
export interface TableOptions {
  /** Column headers, in order. */
  headers: readonly string[];
  /** Maximum width per column (characters); longer cells are cut with `…`. */
  maxWidths?: readonly (number | undefined)[];
}

/**
 * Renders rows as an aligned plain-text table. Every cell goes through `terminalSafe` first, so no
 * control sequence from event data reaches the terminal, and is cut to its column's maximum width.
 */
export function formatTable(rows: readonly (readonly string[])[], options: TableOptions): string {
  const cells = [options.headers, ...rows].map((row) =>
    row.map((cell, column) => truncate(terminalSafe(cell), options.maxWidths?.[column])),
  );
  const widths = options.headers.map((_, column) =>
    Math.max(...cells.map((row) => row[column]?.length ?? 0)),
  );
  return cells
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function truncate(text: string, max: number | undefined): string {
  if (max === undefined || text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}
