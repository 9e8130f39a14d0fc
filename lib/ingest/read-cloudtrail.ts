import { errorMessage } from './decode.ts';
import { ingestSource } from './ingest-source.ts';
import { listFiles } from './list-files.ts';
import { readFileBounded, readStreamBounded, type SourceBytes } from './read-source.ts';
import { DEFAULT_MAX_FILE_BYTES, type IngestItem, type IngestOptions, STDIN_FILE } from './types.ts';

/**
 * Streams the raw CloudTrail records found under `paths` (files, directories walked recursively, `-`
 * for stdin), unwrapped from whatever container they came in (S3 log files gzipped or not, single
 * records, EventBridge events, JSON Lines, arrays, `lookup-events` output, CloudWatch Logs
 * subscription payloads).
 *
 * The sequence is reproducible: files in S3 object-name time order then by path, whatever order the
 * paths were given in; stdin last; inside a file, records by `eventTime`. One file is held in memory
 * at a time. Bad input never ends the run: it becomes a `skip` item naming the file and the reason,
 * and everything readable elsewhere still comes out. Listing problems and digest files come first.
 *
 * @example
 * for await (const item of readCloudTrail(['AWSLogs/', '-'])) {
 *   if (item.kind === 'record') engine.push(item.record);
 *   else if (!item.quiet) console.error(`${item.origin.file}: ${item.reason}`);
 * }
 */
export async function* readCloudTrail(
  paths: readonly string[],
  options: IngestOptions = {},
): AsyncGenerator<IngestItem> {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const listing = await listFiles(paths);
  yield* listing.skips;
  for (const file of listing.files) {
    yield* await readSource(file.display, () => readFileBounded(file.absolute, maxBytes), maxBytes, options);
  }
  if (listing.stdin) {
    const stdin = options.stdin ?? process.stdin;
    yield* await readSource(STDIN_FILE, () => readStreamBounded(stdin, maxBytes), maxBytes, options);
  }
}

async function readSource(
  file: string,
  read: () => Promise<SourceBytes>,
  maxBytes: number,
  options: IngestOptions,
): Promise<IngestItem[]> {
  const source = await read();
  if (!source.ok) return [{ kind: 'skip', origin: { file }, reason: source.reason }];
  options.onFile?.(file, source.bytes.length);
  try {
    return await ingestSource(file, source.bytes, maxBytes);
  } catch (error) {
    // ingestSource is built not to throw; this keeps a bug in it from ending a whole replay.
    return [{ kind: 'skip', origin: { file }, reason: `internal error: ${errorMessage(error)}` }];
  }
}
