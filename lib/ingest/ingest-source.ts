import { type Decoded, decodeBytes } from './decode.ts';
import { parseEventTime } from './event-time.ts';
import { parseText } from './parse-text.ts';
import type { IngestItem, RecordOrigin } from './types.ts';
import { unwrapInto } from './unwrap.ts';

type RecordItem = Extract<IngestItem, { kind: 'record' }>;

/**
 * Everything one source (a file or stdin) holds: its bytes decoded (gzip by magic bytes), parsed
 * (JSON, JSON Lines or back-to-back JSON) and unwrapped into records. Entries are numbered in file
 * order (`origin.index`, records and per-entry skips alike, so an index points at the same entry in
 * the file whatever was skipped around it). Skips come first, then records sorted by `eventTime`.
 * Never throws: every problem is a skip naming `file`.
 */
export async function ingestSource(file: string, bytes: Buffer, maxBytes: number): Promise<IngestItem[]> {
  return ingestDecoded(file, await decodeBytes(bytes, maxBytes), maxBytes);
}

/** {@link ingestSource} from the decoded text (or the reason it could not be decoded). */
export function ingestDecoded(file: string, decoded: Decoded, maxBytes: number): IngestItem[] {
  if (!decoded.ok) return [{ kind: 'skip', origin: { file }, reason: decoded.reason }];
  const skips: IngestItem[] = [];
  const records: RecordItem[] = [];
  let index = 0;
  for (const parsed of parseText(decoded.text)) {
    const line = parsed.line;
    if (!parsed.ok) {
      // A whole-file failure has no index; a broken JSON Lines line is an entry like any other.
      const origin: RecordOrigin = line === undefined ? { file } : { file, line, index: index++ };
      skips.push({ kind: 'skip', origin, reason: parsed.reason });
      continue;
    }
    const linePrefix = line === undefined ? '' : `line ${line}: `;
    const originOf = (): RecordOrigin =>
      line === undefined ? { file, index: index++ } : { file, line, index: index++ };
    unwrapInto(parsed.value, maxBytes, {
      record: (record) => {
        records.push({ kind: 'record', record, origin: originOf() });
      },
      skip: (reason, quiet) => {
        const origin = originOf();
        if (quiet) skips.push({ kind: 'skip', origin, reason, quiet: true });
        else skips.push({ kind: 'skip', origin, reason: `${linePrefix}${reason}` });
      },
    });
  }
  const sorted = sortByEventTime(records);
  return skips.length === 0 ? sorted : [...skips, ...sorted];
}

/**
 * Stable sort by `eventTime`; records whose time is missing or unparseable keep their relative order
 * after all timed ones. S3 log files are not in time order inside, and windowed detectors need it.
 * Returns a new array. Each time is parsed once, and input already in order is not sorted at all.
 */
export function sortByEventTime<T extends { record: Record<string, unknown> }>(items: readonly T[]): T[] {
  const count = items.length;
  // NaN marks a record without a usable time.
  const times = new Float64Array(count);
  let ordered = true;
  let latest = Number.NEGATIVE_INFINITY;
  let untimedSeen = false;
  for (let i = 0; i < count; i++) {
    const time = parseEventTime((items[i] as T).record.eventTime) ?? Number.NaN;
    times[i] = time;
    if (Number.isNaN(time)) untimedSeen = true;
    else {
      // In order: timed records non-decreasing, and none after an untimed one.
      if (untimedSeen || time < latest) ordered = false;
      latest = time;
    }
  }
  if (ordered) return items.slice();
  const order = new Array<number>(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((a, b) => {
    const ta = times[a] as number;
    const tb = times[b] as number;
    const untimedA = Number.isNaN(ta);
    if (untimedA !== Number.isNaN(tb)) return untimedA ? 1 : -1;
    return untimedA ? a - b : ta - tb || a - b;
  });
  const sorted = new Array<T>(count);
  for (let i = 0; i < count; i++) sorted[i] = items[order[i] as number] as T;
  return sorted;
}
