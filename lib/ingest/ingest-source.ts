import { decodeBytes } from './decode.ts';
import { parseEventTime } from './event-time.ts';
import { parseText } from './parse-text.ts';
import type { IngestItem, RecordOrigin } from './types.ts';
import { unwrapValue } from './unwrap.ts';

type RecordItem = Extract<IngestItem, { kind: 'record' }>;

/**
 * Everything one source (a file or stdin) holds: its bytes decoded (gzip by magic bytes), parsed
 * (JSON, JSON Lines or back-to-back JSON) and unwrapped into records. Entries are numbered in file
 * order (`origin.index`, records and per-entry skips alike, so an index points at the same entry in
 * the file whatever was skipped around it). Skips come first, then records sorted by `eventTime`.
 * Never throws: every problem is a skip naming `file`.
 */
export async function ingestSource(file: string, bytes: Buffer, maxBytes: number): Promise<IngestItem[]> {
  const decoded = await decodeBytes(bytes, maxBytes);
  if (!decoded.ok) return [{ kind: 'skip', origin: { file }, reason: decoded.reason }];
  const skips: IngestItem[] = [];
  const records: RecordItem[] = [];
  let index = 0;
  for (const parsed of parseText(decoded.text)) {
    const at: RecordOrigin = parsed.line === undefined ? { file } : { file, line: parsed.line };
    if (!parsed.ok) {
      // A whole-file failure has no index; a broken JSON Lines line is an entry like any other.
      const origin = parsed.line === undefined ? at : { ...at, index: index++ };
      skips.push({ kind: 'skip', origin, reason: parsed.reason });
      continue;
    }
    const linePrefix = parsed.line === undefined ? '' : `line ${parsed.line}: `;
    for (const entry of unwrapValue(parsed.value, maxBytes)) {
      const origin = { ...at, index: index++ };
      if (entry.kind === 'record') records.push({ kind: 'record', record: entry.record, origin });
      else if (entry.quiet) skips.push({ kind: 'skip', origin, reason: entry.reason, quiet: true });
      else skips.push({ kind: 'skip', origin, reason: `${linePrefix}${entry.reason}` });
    }
  }
  return [...skips, ...sortByEventTime(records)];
}

/**
 * Stable sort by `eventTime`; records whose time is missing or unparseable keep their relative order
 * after all timed ones. S3 log files are not in time order inside, and windowed detectors need it.
 */
export function sortByEventTime<T extends { record: Record<string, unknown> }>(items: readonly T[]): T[] {
  return items
    .map((item, position) => ({ item, position, time: parseEventTime(item.record.eventTime) }))
    .sort((a, b) => {
      if (a.time === undefined || b.time === undefined) {
        if (a.time !== b.time) return a.time === undefined ? 1 : -1;
        return a.position - b.position;
      }
      return a.time - b.time || a.position - b.position;
    })
    .map(({ item }) => item);
}
