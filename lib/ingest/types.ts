import type { LogFileScanner } from './scan-worker.ts';

/**
 * The contract between ingestion (paths and stdin in, raw CloudTrail records out) and the engine.
 * Ingestion only finds records and unwraps their containers; field validation is the normalizer's job.
 */

/** Where a record (or a skip) came from, for messages and for reproducible ordering. */
export interface RecordOrigin {
  /** The path as the user gave it (joined with the walked sub-path), or `<stdin>`. */
  file: string;
  /** 1-based line for JSON Lines, else undefined */
  line?: number;
  /** 0-based index of the record within its file */
  index?: number;
}

/** One thing ingestion found: a record to detect on, or something it had to pass over and why. */
export type IngestItem =
  | { kind: 'record'; record: Record<string, unknown>; origin: RecordOrigin }
  | {
      kind: 'skip';
      origin: RecordOrigin;
      reason: string;
      quiet?: boolean /* digest files etc: count, don't print */;
    };

/** Options for {@link readCloudTrail}. */
export interface IngestOptions {
  /** Read for the path `-`; defaults to `process.stdin`. */
  stdin?: NodeJS.ReadableStream;
  /** Called once per file (and stdin) with the number of bytes read, before decompression. */
  onFile?: (file: string, bytes: number) => void;
  /**
   * Largest file (or stdin, or decompressed content) read, in bytes; larger ones become a skip.
   * Defaults to {@link DEFAULT_MAX_FILE_BYTES}.
   */
  maxFileBytes?: number;
  /**
   * The replay's `--since` (epoch ms): S3 log files whose object name says they were delivered more than
   * {@link DELIVERY_MARGIN_MS} before it are not read, since every event in them is earlier. Files without
   * a CloudTrail object name are always read.
   */
  since?: number;
  /** Called for each file not read because of `since`. */
  onEarlierFile?: (file: string) => void;
  /** The thread that scans S3 log files so they can be parsed record by record; the process's shared one by default. */
  scanner?: LogFileScanner;
}

/**
 * How long before `since` a file's delivery minute must be for it to be passed over. Events are always
 * delivered after they happen, so a margin of zero would do; an hour absorbs clock skew and renamed files
 * at the cost of reading a few files whose events the time filter then drops.
 */
export const DELIVERY_MARGIN_MS = 60 * 60 * 1000;

/** 512 MiB: far above any CloudTrail log file (tens of MB), low enough to fail before running out of memory. */
export const DEFAULT_MAX_FILE_BYTES = 512 * 1024 * 1024;

/** The `reason` of the quiet skip for a file under `CloudTrail-Digest/`, so callers can count digests apart. */
export const DIGEST_SKIP_REASON = 'CloudTrail digest file';

/** The `reason` of the quiet skip for a CloudWatch Logs `CONTROL_MESSAGE` (a subscription health check). */
export const CONTROL_MESSAGE_SKIP_REASON = 'CloudWatch Logs CONTROL_MESSAGE';

/** The origin file name used for standard input. */
export const STDIN_FILE = '<stdin>';
