import type { RecordedFinding } from '../alerts/dynamodb-outbox.ts';
import type { Column, Row } from './query-types.ts';
import { renderGenericTable } from './render-rows.ts';

/**
 * `query findings`: the alert history, read back from the DynamoDB state table where the outbox recorded
 * every finding before sending it (see DynamoDbOutbox.listFindings). One row per finding, oldest first,
 * with the state of each delivery (`slack:#sec:sent`). Unlike the other queries it reads no events, so it
 * has no Logs Insights text and no local files: the table is its only source.
 */

/** What the rows are read from: DynamoDbOutbox, or anything else that lists recorded findings. */
export interface FindingHistory {
  listFindings(from: number, to: number): AsyncIterable<RecordedFinding>;
}

/** A query over the state table rather than over events (see QueryDefinition for those). */
export interface StateQueryDefinition {
  name: string;
  /** One line for `--help`. */
  description: string;
  columns: readonly Column[];
  table(rows: readonly Row[], columns: readonly Column[]): string;
}

const COLUMNS: readonly Column[] = [
  { key: 'time', header: 'TIME' },
  { key: 'severity', header: 'SEVERITY' },
  { key: 'detector', header: 'DETECTOR' },
  { key: 'principal', header: 'PRINCIPAL', width: 60 },
  { key: 'pipeline', header: 'PIPELINE' },
  { key: 'subject', header: 'SUBJECT', width: 50 },
  { key: 'summary', header: 'SUMMARY', width: 80 },
  { key: 'findingId', header: 'FINDING' },
  { key: 'deliveries', header: 'DELIVERIES', width: 60 },
];

/** A text field of a stored finding, or null: the JSON came from the table, not from the type. */
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export function findingRow({ finding, deliveries }: RecordedFinding): Row {
  return {
    time: text(finding.time),
    severity: text(finding.severity),
    detector: text(finding.detector),
    principal: text(finding.principal),
    pipeline: text(finding.pipeline),
    subject: text(finding.subject),
    summary: text(finding.summary),
    findingId: text(finding.id),
    deliveries: deliveries.map((d) => `${d.sink}:${d.status}`),
  };
}

/** Every finding recorded with `from <= time < to` (epoch ms), as rows, oldest first. */
export async function findingRows(history: FindingHistory, from: number, to: number): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const recorded of history.listFindings(from, to)) rows.push(findingRow(recorded));
  return rows;
}

export const findingsQuery: StateQueryDefinition = {
  name: 'findings',
  description: 'alert history from the DynamoDB state table (--state dynamodb:TABLE), with delivery states',
  columns: COLUMNS,
  table(rows, columns) {
    if (rows.length === 0) return 'No findings recorded in this range.';
    return `${renderGenericTable(columns, rows)}\n\n${rows.length} finding${rows.length === 1 ? '' : 's'}.`;
  },
};
