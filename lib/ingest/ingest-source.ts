import type { Decoded } from './decode.ts';
import { parseEventTime } from './event-time.ts';
import { parseText } from './parse-text.ts';
import { sortOrder } from './sort-order.ts';
import type { IngestItem, RecordOrigin } from './types.ts';
import { unwrapInto } from './unwrap.ts';

/**
 * One source's records in replay order, handed out one at a time, and its skips. The hot path (`replay`)
 * takes records straight from here: no item object per record, and an origin object is only made for a
 * record that turns out to need one (a skip message).
 *
 * Two kinds: {@link ArraySource}, whose records were all parsed up front, and `LazyLogFile`
 * (lib/ingest/lazy-log-file.ts), which parses an S3 log file's records as they are taken.
 */
export interface IngestedSource {
  readonly file: string;
  /**
   * The next record in replay order (by `eventTime`, stable; records without a usable time last), or
   * undefined after the last. The source lets go of it, so a record's objects can be collected while the
   * rest of its file is still being judged.
   */
  next(): Record<string, unknown> | undefined;
  /** The parsed `eventTime` (epoch ms) of the record `next` returned last; NaN when missing or unparseable. */
  readonly time: number;
  /** Where the record `next` returned last came from. */
  origin(): RecordOrigin;
  /**
   * Whole-source and per-entry skips. Complete once `next` has returned undefined: a log file read record
   * by record finds a broken record only when it comes to it.
   */
  readonly skips: readonly IngestItem[];
}

/** A source whose records were all parsed up front, as parallel arrays in replay order. */
export class ArraySource implements IngestedSource {
  time = Number.NaN;
  #position = -1;

  constructor(
    readonly file: string,
    readonly skips: readonly IngestItem[],
    readonly records: (Record<string, unknown> | undefined)[],
    /** Each record's parsed `eventTime` (epoch ms), NaN when missing or unparseable. */
    readonly times: Float64Array,
    /** Each record's 0-based entry index in the source (`RecordOrigin.index`). */
    readonly indexes: Int32Array,
    /** Each record's 1-based JSON Lines line, when the source was JSON Lines (0: none). */
    readonly lines?: Int32Array,
  ) {}

  next(): Record<string, unknown> | undefined {
    const position = ++this.#position;
    if (position >= this.records.length) {
      this.#position = this.records.length;
      return undefined;
    }
    const record = this.records[position];
    this.records[position] = undefined;
    this.time = this.times[position] as number;
    return record;
  }

  origin(): RecordOrigin {
    const index = this.indexes[this.#position] as number;
    const line = this.lines?.[this.#position];
    return line ? { file: this.file, line, index } : { file: this.file, index };
  }
}

/** A source as items: its skips, then its records in order (records already taken are left out). */
export function ingestedItems(source: IngestedSource): IngestItem[] {
  const records: IngestItem[] = [];
  for (let record = source.next(); record !== undefined; record = source.next())
    records.push({ kind: 'record', record, origin: source.origin() });
  return [...source.skips, ...records];
}

/** A source that holds nothing but one skip. */
export function skippedSource(file: string, reason: string): IngestedSource {
  return skipsOnly(file, [{ kind: 'skip', origin: { file }, reason }]);
}

/** Skips without records (a listing's problems, or a source that could not be read). */
export function skipsOnly(file: string, skips: IngestItem[]): IngestedSource {
  return new ArraySource(file, skips, [], new Float64Array(0), new Int32Array(0));
}

/**
 * Everything one source (a file or stdin) holds, from its decoded text (or the reason it could not be
 * decoded): parsed (JSON, JSON Lines or back-to-back JSON) and unwrapped into records, as arrays. Entries
 * are numbered in file order (`origin.index`, records and per-entry skips alike, so an index points at the
 * same entry in the file whatever was skipped around it); records come out sorted by `eventTime`. Never
 * throws: every problem is a skip naming `file`.
 */
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
  if (order === undefined)
    return new ArraySource(
      file,
      skips,
      records,
      times,
      Int32Array.from(indexes),
      lines && Int32Array.from(lines),
    );
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
  return new ArraySource(file, skips, sortedRecords, sortedTimes, sortedIndexes, sortedLines);
}
