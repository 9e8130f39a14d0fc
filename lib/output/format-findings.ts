import type { Finding } from '../engine/finding.ts';
import { formatTable } from './format-table.ts';
import { jsonText } from './json-text.ts';

/** `ocsf`: OCSF Detection Findings as JSON Lines (`./ocsf.ts`). */
export const FINDING_FORMATS = ['table', 'jsonl', 'json', 'ocsf'] as const;
export type FindingFormat = (typeof FINDING_FORMATS)[number];

/**
 * Machine formats are JSON with every control, bidi and zero-width character escaped (`jsonText`), so
 * event data cannot break a line or inject a terminal sequence. The table is for people and escapes every cell.
 */
export function findingToJsonLine(finding: Finding): string {
  return jsonText(finding);
}

/** `--format json`: every finding in one indented array. */
export function findingsToJson(findings: readonly Finding[]): string {
  return jsonText(findings, 2);
}

/** Shortens an ARN for a table cell: `arn:aws:iam::111122223333:role/deploy-prod` → `111122223333:role/deploy-prod`. */
function shortPrincipal(principal: string): string {
  const match = /^arn:[^:]*:[^:]*:[^:]*:([^:]*):(.*)$/.exec(principal);
  return match ? `${match[1]}:${match[2]}` : principal;
}

export function formatFindingsTable(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'No findings.';
  const rows = findings.map((f) => [
    f.severity.toUpperCase(),
    f.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    f.detector,
    shortPrincipal(f.principal),
    f.pipeline ?? '-',
    f.summary,
  ]);
  return formatTable(rows, {
    headers: ['SEVERITY', 'TIME', 'DETECTOR', 'PRINCIPAL', 'PIPELINE', 'SUMMARY'],
    maxWidths: [8, 20, 26, 48, 20, 140],
  });
}
