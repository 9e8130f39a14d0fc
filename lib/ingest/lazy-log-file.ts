import { isAscii } from 'node:buffer';
import { errorMessage } from './decode.ts';
import { parseEventTime } from './event-time.ts';
import type { IngestedSource } from './ingest-source.ts';
import { sortOrder } from './sort-order.ts';
import type { IngestItem, RecordOrigin } from './types.ts';

/**
 * An S3 log file whose records are parsed one at a time as they are taken, each from its own piece of the
 * file's bytes, where `scanLogFile` (lib/ingest/scan-log-file.ts) found them. It gives the same records,
 * times, order and origins as parsing the whole file: the scan follows JSON's own rules for strings and
 * brackets, so a piece is exactly one element of `Records`, and each one's `eventTime` text is the string
 * its record will hold.
 *
 * One difference, on purpose: a record with a bad value (`"readOnly":tru`) is skipped on its own
 * (`Records[7]: not JSON: …`) and the rest of the file is still judged, where the whole-file parser has to
 * give the whole file up. (A file whose strings or brackets do not close is not laid out at all, and the
 * general parser skips it as before.)
 */
export class LazyLogFile implements IngestedSource {
  time = Number.NaN;
  readonly skips: IngestItem[] = [];
  readonly #bytes: Buffer;
  /** Four numbers per piece: its first byte, the byte after its last, the same for its `eventTime` text. */
  readonly #layout: Int32Array;
  readonly #encoding: 'latin1' | 'utf8';
  readonly #times: Float64Array;
  /** Replay position → piece; undefined when the pieces are in time order already. */
  readonly #order: ArrayLike<number> | undefined;
  #position = 0;
  /** The piece `next` returned last. */
  #piece = -1;

  constructor(
    readonly file: string,
    bytes: Buffer,
    layout: Int32Array,
  ) {
    this.#bytes = bytes;
    this.#layout = layout;
    // Pieces are cut at ASCII bytes, so a UTF-8 file's pieces are whole characters; an ASCII file reads
    // faster as Latin-1, which gives the same string.
    this.#encoding = isAscii(bytes) ? 'latin1' : 'utf8';
    const count = layout.length / 4;
    this.#times = new Float64Array(count);
    for (let piece = 0; piece < count; piece++) {
      const text = bytes.toString(this.#encoding, layout[4 * piece + 2], layout[4 * piece + 3]);
      this.#times[piece] = parseEventTime(text) ?? Number.NaN;
    }
    this.#order = sortOrder(this.#times);
  }

  next(): Record<string, unknown> | undefined {
    const count = this.#times.length;
    while (this.#position < count) {
      const position = this.#position++;
      const piece = this.#order === undefined ? position : (this.#order[position] as number);
      const start = this.#layout[4 * piece];
      const end = this.#layout[4 * piece + 1];
      let record: Record<string, unknown>;
      try {
        // The scan proved it an object with CloudTrail's `eventTime` and no container keys: a plain record.
        record = JSON.parse(this.#bytes.toString(this.#encoding, start, end));
      } catch (error) {
        const reason = `Records[${piece}]: not JSON: ${errorMessage(error)}`;
        this.skips.push({ kind: 'skip', origin: { file: this.file, index: piece }, reason });
        continue;
      }
      this.#piece = piece;
      this.time = this.#times[piece] as number;
      return record;
    }
    return undefined;
  }

  origin(): RecordOrigin {
    // A piece is `Records[piece]`, and the whole-file parse numbers a file of plain records the same way.
    return { file: this.file, index: this.#piece };
  }
}
