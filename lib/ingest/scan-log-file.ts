/**
 * Where each record of a CloudTrail S3 log file lies in its bytes, and where its `eventTime` value lies,
 * found by reading the JSON structure without building any of it: the first step of reading a log file
 * record by record (lib/ingest/lazy-log-file.ts).
 *
 * Why not `JSON.parse` the file: that needs the whole file as one string of several MB, which V8 keeps
 * outside its heap in fresh memory every time (a page fault per 4 KiB: on a virtual machine a third of the
 * cost of reading a file), and it makes every record of the file at once, so the whole file is still alive
 * at each young-generation collection while the records are judged, and is copied and promoted. A record
 * parsed from its own small string just before it is judged is garbage a moment later.
 *
 * Returns four numbers per record (its first byte, the byte after its last, and the same for the text of
 * its `eventTime` string), in file order; or undefined unless the file is laid out as CloudTrail writes it,
 * whereupon the general parser (lib/ingest/parse-text.ts) takes it:
 * - `{"Records":[` first (after an optional UTF-8 byte-order mark), `]}` last (whitespace may follow);
 * - every element of `Records` an object with exactly one top-level `eventTime` key, whose value is a
 *   string without escapes;
 * - no element with a top-level key that would make it a container of records (`Records`, `Events`,
 *   `detail-type`, `messageType`, `awslogs`), and no top-level key written with escapes (`"event\u0054ime"`
 *   is `eventTime` to `JSON.parse`), so each element is exactly the record that unwrapping would take;
 * - strings closed and brackets balanced.
 * Values are not otherwise checked: a record whose text is not valid JSON fails when it is parsed.
 *
 * Self-contained on purpose (no imports, no outer names): it also runs in a worker thread, which is built
 * from its source text (lib/ingest/scan-worker.ts).
 */
export function scanLogFile(bytes: Uint8Array): Int32Array | undefined {
  const QUOTE = 0x22;
  const BACKSLASH = 0x5c;
  const COMMA = 0x2c;
  const COLON = 0x3a;
  const OPEN_OBJECT = 0x7b;
  const CLOSE_OBJECT = 0x7d;
  const OPEN_ARRAY = 0x5b;
  const CLOSE_ARRAY = 0x5d;
  const HEAD = '{"Records":[';
  /** Depth inside an element's own object (the file's object is 1, `Records` 2). */
  const RECORD = 3;
  const n = bytes.length;
  const isSpace = (byte: number): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
  /** True when `bytes[from, to)` spells `name` (ASCII). */
  const spells = (from: number, to: number, name: string): boolean => {
    if (to - from !== name.length) return false;
    for (let k = 0; k < name.length; k++) if (bytes[from + k] !== name.charCodeAt(k)) return false;
    return true;
  };

  let i = n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  for (let k = 0; k < HEAD.length; k++, i++) if (bytes[i] !== HEAD.charCodeAt(k)) return undefined;
  let last = n - 1;
  while (last >= 0 && isSpace(bytes[last] as number)) last--;
  if (last < i + 1 || bytes[last] !== CLOSE_OBJECT || bytes[last - 1] !== CLOSE_ARRAY) return undefined;
  /** The `]` that closes `Records`. */
  const end = last - 1;

  const out: number[] = [];
  let depth = 2;
  /** Between elements of `Records`: true once an element closed (a comma or the end must follow). */
  let afterElement = false;
  let recordStart = -1;
  let times = 0;
  let timeStart = -1;
  let timeEnd = -1;
  /** At the record's top level: the next string is a key (after `{` or `,`), or the value of `eventTime`. */
  let expectKey = false;
  let timeValueNext = false;
  while (i < end) {
    const byte = bytes[i] as number;
    if (byte === QUOTE) {
      const from = i + 1;
      let escaped = false;
      i = from;
      for (;;) {
        if (i >= end) return undefined;
        const c = bytes[i] as number;
        if (c === QUOTE) break;
        if (c === BACKSLASH) {
          escaped = true;
          i++;
        }
        i++;
      }
      // bytes[from, i) is the string's text; bytes[i] its closing quote.
      if (depth === RECORD) {
        if (expectKey) {
          if (escaped) return undefined;
          if (spells(from, i, 'eventTime')) {
            times++;
            timeValueNext = true;
          } else if (
            spells(from, i, 'Records') ||
            spells(from, i, 'Events') ||
            spells(from, i, 'detail-type') ||
            spells(from, i, 'messageType') ||
            spells(from, i, 'awslogs')
          ) {
            return undefined;
          }
          expectKey = false;
        } else if (timeValueNext) {
          if (escaped) return undefined;
          timeStart = from;
          timeEnd = i;
          timeValueNext = false;
        }
      }
      i++;
      continue;
    }
    if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (timeValueNext && depth === RECORD) return undefined;
      if (depth === 2 && (afterElement || byte !== OPEN_OBJECT)) return undefined;
      depth++;
      if (depth === RECORD) {
        recordStart = i;
        times = 0;
        expectKey = true;
      }
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      if (depth === RECORD) {
        if (times !== 1 || timeStart < 0) return undefined;
        out.push(recordStart, i + 1, timeStart, timeEnd);
        timeStart = -1;
        afterElement = true;
      }
      depth--;
      if (depth < 2) return undefined;
    } else if (byte === COMMA) {
      if (depth === RECORD) expectKey = true;
      else if (depth === 2) {
        if (!afterElement) return undefined;
        afterElement = false;
      }
    } else if (byte === COLON && depth > 2) {
      // A key's colon; the value comes next.
    } else if (depth === 2 && !isSpace(byte)) {
      // Between elements of `Records` only objects, commas and whitespace.
      return undefined;
    } else if (timeValueNext && depth === RECORD && !isSpace(byte)) {
      // `eventTime` with a value that is no string (a number, null, …).
      return undefined;
    }
    i++;
  }
  if (depth !== 2 || !afterElement) return undefined;
  return Int32Array.from(out);
}
