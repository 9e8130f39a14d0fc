import { type Decoded, decodeBytes } from './decode.ts';
import { parseEventTime } from './event-time.ts';
import { parseText } from './parse-text.ts';
import type { IngestItem, RecordOrigin } from './types.ts';
import { unwrapInto } from './unwrap.ts';

/**
 * One source's content in replay order, as parallel arrays rather than an item per record: the hot path
 * (`replay`) reads records and their parsed times straight from here, and an origin object is only made
 * for a record that turns out to need one (a skip message). {@link ingestedItems} gives the item form.
 */
export interface IngestedSource {
  file: string;
  /** Whole-source and per-entry skips, in file order. They come before the records. */
  skips: IngestItem[];
  /**
   * The records sorted by `eventTime` (stable; records without a usable time last, in file order). A
   * consumer that owns the source may clear each slot once it has taken the record, so a record's objects
   * can be collected while the rest of its file is still being judged.
   */
  records: (Record<string, unknown> | undefined)[];
  /** Each record's parsed `eventTime` (epoch ms), NaN when missing or unparseable. */
  times: Float64Array;
  /** Each record's 0-based entry index in the source (`RecordOrigin.index`). */
  indexes: Int32Array;
  /** Each record's 1-based JSON Lines line, when the source was JSON Lines (0: none). */
  lines?: Int32Array;
}

/**
 * Everything one source (a file or stdin) holds: its bytes decoded (gzip by magic bytes), parsed
 * (JSON, JSON Lines or back-to-back JSON) and unwrapped into records. Entries are numbered in file
 * order (`origin.index`, records and per-entry skips alike, so an index points at the same entry in
 * the file whatever was skipped around it). Skips come first, then records sorted by `eventTime`.
 * Never throws: every problem is a skip naming `file`.
 */
export async function ingestSource(file: string, bytes: Buffer, maxBytes: number): Promise<IngestItem[]> {
  return ingestedItems(ingestDecoded(file, await decodeBytes(bytes, maxBytes), maxBytes));
}

/** The origin of the `i`th record of a source. */
export function recordOrigin(source: IngestedSource, i: number): RecordOrigin {
  const index = source.indexes[i] as number;
  const line = source.lines?.[i];
  return line ? { file: source.file, line, index } : { file: source.file, index };
}

/** A source as items: its skips, then its records in order (records already cleared are left out). */
export function ingestedItems(source: IngestedSource): IngestItem[] {
  const items: IngestItem[] = source.skips.slice();
  const { records } = source;
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (record !== undefined) items.push({ kind: 'record', record, origin: recordOrigin(source, i) });
  }
  return items;
}

/** A source that holds nothing but one skip. */
export function skippedSource(file: string, reason: string): IngestedSource {
  return skipsOnly(file, [{ kind: 'skip', origin: { file }, reason }]);
}

/** Skips without records (a listing's problems, or a source that could not be read). */
export function skipsOnly(file: string, skips: IngestItem[]): IngestedSource {
  return { file, skips, records: [], times: new Float64Array(0), indexes: new Int32Array(0) };
}

/** {@link ingestSource} from the decoded text (or the reason it could not be decoded), as arrays. */
export function ingestDecoded(file: string, decoded: Decoded, maxBytes: number): IngestedSource {
  if (!decoded.ok) return skippedSource(file, decoded.reason);
  const skips: IngestItem[] = [];
  const records: Record<string, unknown>[] = [];
  const indexes: number[] = [];
  let lines: number[] | undefined;
  let index = 0;
  for (const parsed of parseText(decoded.text)) {
    const line = parsed.line;
    if (!parsed.ok) {
      // A whole-file failure has no index; a broken JSON Lines line is an entry like any other.
      const origin: RecordOrigin = line === undefined ? { file } : { file, line, index: index++ };
      skips.push({ kind: 'skip', origin, reason: parsed.reason });
      continue;
    }
    if (line !== undefined && lines === undefined) lines = new Array<number>(records.length).fill(0);
    const linePrefix = line === undefined ? '' : `line ${line}: `;
    unwrapInto(parsed.value, maxBytes, {
      record: (record) => {
        records.push(record);
        indexes.push(index++);
        lines?.push(line ?? 0);
      },
      skip: (reason, quiet) => {
        const origin: RecordOrigin =
          line === undefined ? { file, index: index++ } : { file, line, index: index++ };
        if (quiet) skips.push({ kind: 'skip', origin, reason, quiet: true });
        else skips.push({ kind: 'skip', origin, reason: `${linePrefix}${reason}` });
      },
    });
  }
  return sortedSource(file, skips, records, indexes, lines);
}

/**
 * Stable order by `eventTime`; records whose time is missing or unparseable keep their relative order
 * after all timed ones. S3 log files are not in time order inside, and windowed detectors need it.
 * Each time is parsed once (and handed on, so normalization does not parse it again), and input already
 * in order is not sorted at all.
 */
function sortedSource(
  file: string,
  skips: IngestItem[],
  records: Record<string, unknown>[],
  indexes: number[],
  lines: number[] | undefined,
): IngestedSource {
  const count = records.length;
  const times = new Float64Array(count);
  for (let i = 0; i < count; i++)
    times[i] = parseEventTime((records[i] as Record<string, unknown>).eventTime) ?? Number.NaN;
  const order = sortOrder(times);
  if (order === undefined) {
    return {
      file,
      skips,
      records,
      times,
      indexes: Int32Array.from(indexes),
      lines: lines && Int32Array.from(lines),
    };
  }
  const sortedRecords = new Array<Record<string, unknown>>(count);
  const sortedTimes = new Float64Array(count);
  const sortedIndexes = new Int32Array(count);
  const sortedLines = lines && new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const from = order[i] as number;
    sortedRecords[i] = records[from] as Record<string, unknown>;
    sortedTimes[i] = times[from] as number;
    sortedIndexes[i] = indexes[from] as number;
    if (sortedLines) sortedLines[i] = (lines as number[])[from] as number;
  }
  return {
    file,
    skips,
    records: sortedRecords,
    times: sortedTimes,
    indexes: sortedIndexes,
    lines: sortedLines,
  };
}

/** The largest integer a double holds exactly, plus one: packed sort keys must stay below it. */
const EXACT_LIMIT = 2 ** 53;

/**
 * The stable time order of `times` (NaN last, in input order) as input positions, or undefined when the
 * input is already in that order.
 */
export function sortOrder(times: Float64Array): ArrayLike<number> | undefined {
  const count = times.length;
  let ordered = true;
  let wholeSeconds = true;
  let latest = Number.NEGATIVE_INFINITY;
  let earliest = Number.POSITIVE_INFINITY;
  let untimedSeen = false;
  for (let i = 0; i < count; i++) {
    const time = times[i] as number;
    if (Number.isNaN(time)) {
      untimedSeen = true;
      continue;
    }
    // In order: timed records non-decreasing, and none after an untimed one.
    if (untimedSeen || time < latest) ordered = false;
    latest = time;
    if (time < earliest) earliest = time;
    if (time % 1000 !== 0) wholeSeconds = false;
  }
  if (ordered) return undefined;
  // CloudTrail times are whole seconds: each record's (second, position) then packs into one double that
  // sorts natively (a typed array's own numeric sort, no comparator call per comparison). Untimed records
  // take the second after the latest, so they follow every timed one in input order.
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    const time = times[i] as number;
    if (!Number.isNaN(time) && time > max) max = time;
  }
  const span = (max - earliest) / 1000 + 2;
  if (wholeSeconds && span * count < EXACT_LIMIT) {
    const keys = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const time = times[i] as number;
      const second = Number.isNaN(time) ? span - 1 : (time - earliest) / 1000;
      keys[i] = second * count + i;
    }
    keys.sort();
    const order = new Int32Array(count);
    for (let i = 0; i < count; i++) order[i] = (keys[i] as number) % count;
    return order;
  }
  const order = new Array<number>(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((a, b) => {
    const ta = times[a] as number;
    const tb = times[b] as number;
    const untimedA = Number.isNaN(ta);
    if (untimedA !== Number.isNaN(tb)) return untimedA ? 1 : -1;
    return untimedA ? a - b : ta - tb || a - b;
  });
  return order;
}
