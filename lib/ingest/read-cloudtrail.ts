import { decodeText, errorMessage, inflateBytes } from './decode.ts';
import {
  type IngestedSource,
  ingestDecoded,
  ingestedItems,
  skippedSource,
  skipsOnly,
} from './ingest-source.ts';
import { LazyLogFile } from './lazy-log-file.ts';
import { streamFiles } from './list-files.ts';
import type { ListedFile } from './order-files.ts';
import { readFileBounded, readStreamBounded, type SourceBytes } from './read-source.ts';
import { type LogFileScanner, sharedScanWorker } from './scan-worker.ts';
import {
  DEFAULT_MAX_FILE_BYTES,
  DELIVERY_MARGIN_MS,
  type IngestItem,
  type IngestOptions,
  STDIN_FILE,
} from './types.ts';

type Skip = Extract<IngestItem, { kind: 'skip' }>;

/**
 * Streams the raw CloudTrail records found under `paths` (files, directories walked recursively, `-`
 * for stdin), unwrapped from whatever container they came in (S3 log files gzipped or not, single
 * records, EventBridge events, JSON Lines, arrays, `lookup-events` output, CloudWatch Logs
 * subscription payloads).
 *
 * The sequence is reproducible: files in S3 object-name time order then by path, whatever order the
 * paths were given in; stdin last; inside a file, records by `eventTime`. Memory stays flat however long
 * the trail: CloudTrail's year, month and day directories are opened as the replay reaches them (see
 * `streamFiles`), and besides the file being read out only the next two are held, read, gunzipped and
 * scanned ahead. Bad input never ends the run: it becomes a `skip` item naming the file and the reason, and
 * everything readable elsewhere still comes out. Paths that cannot be listed come first; digest files and
 * unreadable directories where the replay reached them.
 *
 * @example
 * for await (const item of readCloudTrail(['AWSLogs/', '-'])) {
 *   if (item.kind === 'record') engine.push(item.record);
 *   else if (!item.quiet) console.error(`${item.origin.file}: ${item.reason}`);
 * }
 */
export function readCloudTrail(
  paths: readonly string[],
  options: IngestOptions = {},
): AsyncGenerator<IngestItem> {
  const batches = readCloudTrailSources(paths, options);
  const use = { items: false, batches: false };
  const items = (async function* () {
    if (use.batches) throw new Error('readCloudTrail: the stream was already read file by file');
    use.items = true;
    for await (const batch of batches) yield* ingestedItems(batch);
  })();
  const claim = (): AsyncIterable<IngestedSource> | undefined => {
    if (use.items || use.batches) return undefined;
    use.batches = true;
    return batches;
  };
  return Object.defineProperty(items, CLAIM_BATCHES, { value: claim });
}

/**
 * The same sequence as {@link readCloudTrail}, one {@link IngestedSource} per source (each file, the
 * listing's skips where they were found, then stdin). A source hands its records out without an await, so
 * consumers that can take a file at a time save an await (and the promises behind it) per record, and the
 * item and origin objects.
 */
export async function* readCloudTrailSources(
  paths: readonly string[],
  options: IngestOptions = {},
): AsyncGenerator<IngestedSource> {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const listing = streamFiles(paths);
  const scanner = options.scanner ?? sharedScanWorker();
  // Reading, gunzipping and scanning the next files (I/O, the thread pool, the scanning thread) overlaps
  // judging this one. Skips found while listing keep their place between the files.
  const ahead: Promise<Fetched | Skip[]>[] = [];
  let listed = false;
  for (;;) {
    while (!listed && ahead.length <= READ_AHEAD) {
      const entry = await listing.entries.next();
      if (entry.done) listed = true;
      else if (entry.value.kind === 'skips') ahead.push(Promise.resolve(entry.value.skips));
      else if (deliveredBefore(entry.value.delivered, options.since))
        options.onEarlierFile?.(entry.value.file.display);
      else ahead.push(fetchFile(entry.value.file, maxBytes, scanner));
    }
    if (ahead.length === 0) break;
    // Not held in a local across the yield: the file's bytes can go as soon as its records are taken.
    yield sourceOf(await (ahead.shift() as Promise<Fetched | Skip[]>), maxBytes, options);
  }
  if (listing.stdin) {
    const stdin = options.stdin ?? process.stdin;
    const source = await readStreamBounded(stdin, maxBytes);
    yield ingestFetched(await inflated(STDIN_FILE, source, maxBytes), maxBytes, options);
  }
}

/**
 * Files read and gunzipped ahead of the one being read out. Each step of a read-ahead waits for a turn of
 * the event loop, which a consumer judging records gives only now and then; two files absorb the
 * variance. Memory: two more files, compressed and inflated (a CloudTrail file is a few MB inflated).
 */
const READ_AHEAD = 2;

/** True when a file's delivery (from its S3 object name) is well before `since`: nothing in it can be in range. */
function deliveredBefore(delivered: number | undefined, since: number | undefined): boolean {
  return delivered !== undefined && since !== undefined && delivered + DELIVERY_MARGIN_MS <= since;
}

/** A source read, inflated and scanned, not yet parsed; or why it could not be read. */
type Fetched = { file: string; unread: string } | { file: string; size: number; content: Content };

/** Bytes with any gzip undone and the log-file layout found in them, or why they could not be had. */
type Content = { ok: true; bytes: Buffer; layout?: Int32Array } | { ok: false; reason: string };

/** Never rejects (every step reports problems as values), so a read-ahead nobody awaits is harmless. */
async function fetchFile(file: ListedFile, maxBytes: number, scanner: LogFileScanner): Promise<Fetched> {
  const fetched = await inflated(file.display, await readFileBounded(file.absolute, maxBytes), maxBytes);
  if ('unread' in fetched || !fetched.content.ok) return fetched;
  const scanned = await scanner.scan(fetched.content.bytes);
  if (scanned.ok) return { ...fetched, content: scanned };
  // The scanning thread died holding the bytes: read the file again, for the general parser.
  return inflated(file.display, await readFileBounded(file.absolute, maxBytes), maxBytes);
}

async function inflated(file: string, source: SourceBytes, maxBytes: number): Promise<Fetched> {
  if (!source.ok) return { file, unread: source.reason };
  // Taken first: a file that is no gzip is its own content, which a scan moves to another thread.
  const size = source.bytes.length;
  return { file, size, content: await inflateBytes(source.bytes, maxBytes) };
}

function sourceOf(fetched: Fetched | Skip[], maxBytes: number, options: IngestOptions): IngestedSource {
  return Array.isArray(fetched) ? skipsOnly('', fetched) : ingestFetched(fetched, maxBytes, options);
}

function ingestFetched(fetched: Fetched, maxBytes: number, options: IngestOptions): IngestedSource {
  const { file } = fetched;
  if ('unread' in fetched) return skippedSource(file, fetched.unread);
  options.onFile?.(file, fetched.size);
  const { content } = fetched;
  if (!content.ok) return skippedSource(file, content.reason);
  try {
    // An S3 log file laid out as CloudTrail writes it is parsed record by record as it is taken.
    if (content.layout) return new LazyLogFile(file, content.bytes, content.layout);
    return ingestDecoded(file, decodeText(content.bytes), maxBytes);
  } catch (error) {
    // Ingestion is built not to throw; this keeps a bug in it from ending a whole replay.
    return skippedSource(file, `internal error: ${errorMessage(error)}`);
  }
}

const CLAIM_BATCHES = Symbol('trailguard.readCloudTrail.batches');

/**
 * The file-at-a-time form behind a stream that {@link readCloudTrail} returned and nobody has started
 * reading; undefined for any other iterable (or one already started). Taking it makes the item-by-item
 * form unusable, so the records are never read twice (and the taker owns each source it is handed).
 */
export function claimIngestBatches(
  items: AsyncIterable<IngestItem>,
): AsyncIterable<IngestedSource> | undefined {
  const claim = (items as { [CLAIM_BATCHES]?: () => AsyncIterable<IngestedSource> | undefined })[
    CLAIM_BATCHES
  ];
  return typeof claim === 'function' ? claim() : undefined;
}
