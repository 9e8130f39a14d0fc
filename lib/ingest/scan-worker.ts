import { Worker } from 'node:worker_threads';
import { scanLogFile } from './scan-log-file.ts';

/**
 * A log file's bytes handed back by the scanner with the layout it found (undefined: not laid out as
 * CloudTrail writes it); or, should the scanning thread die holding them, why they are lost (the caller
 * reads the file again).
 */
export type Scanned =
  | { ok: true; bytes: Buffer; layout: Int32Array | undefined }
  | { ok: false; reason: string };

/** What ingestion needs of a scanner: {@link ScanWorker}, or a stand-in in tests. */
export interface LogFileScanner {
  scan(bytes: Buffer): Promise<Scanned>;
}

/**
 * Runs {@link scanLogFile} on a worker thread. A replay's own thread is its bottleneck: the scan (about as
 * costly per byte as gunzip) then overlaps judging the file before instead of adding to it.
 *
 * The bytes move to the thread and back without a copy: their memory is transferred, which detaches
 * every view on it, so only a buffer that starts its memory and is larger than Node's shared pool of small
 * buffers is sent (zlib's output and a file read in one piece are like that). Everything else is scanned in
 * place, at once: small files (a round trip would cost more than the scan), any file while the thread is
 * starting (so a replay never waits for it) or after it failed. The thread starts with the first file large
 * enough to send. Never rejects. The thread keeps the process alive only while a reply is awaited.
 */
export class ScanWorker implements LogFileScanner {
  #worker: Worker | undefined;
  #online: Promise<void> | undefined;
  #ready = false;
  #failed = false;
  #nextId = 0;
  readonly #pending = new Map<number, (scanned: Scanned) => void>();

  /** Starts the thread now, resolving once it takes work (or has failed to start). */
  async start(): Promise<void> {
    if (this.#failed) return;
    const worker = this.#started();
    // Held open while awaited, like a scan.
    worker.ref();
    await this.#online;
    if (this.#pending.size === 0) worker.unref();
  }

  scan(bytes: Buffer): Promise<Scanned> {
    if (bytes.length <= SCAN_IN_PLACE_BYTES || this.#failed || !isTransferable(bytes)) return inPlace(bytes);
    const worker = this.#started();
    if (!this.#ready) return inPlace(bytes);
    const id = this.#nextId++;
    if (this.#pending.size === 0) worker.ref();
    return new Promise<Scanned>((resolve) => {
      this.#pending.set(id, resolve);
      const request: ScanRequest = { id, buffer: bytes.buffer as ArrayBuffer, length: bytes.length };
      worker.postMessage(request, [request.buffer]);
    });
  }

  /** Ends the thread; requests in flight are answered as lost, and later files are scanned in place. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#fail('the scanning thread was closed');
    await worker?.terminate();
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    // A plain script built from the scanner's own source: no loader (`execArgv` is not inherited), no imports.
    const worker = new Worker(workerSource(), { eval: true, execArgv: [] });
    worker.on('message', (reply: ScanReply) => {
      const resolve = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) worker.unref();
      resolve?.({ ok: true, bytes: Buffer.from(reply.buffer, 0, reply.length), layout: reply.layout });
    });
    worker.on('error', (error) => this.#fail(`the scanning thread failed (${error.message})`));
    worker.on('exit', (code) => this.#fail(`the scanning thread stopped (exit code ${code})`));
    this.#online = new Promise<void>((resolve) => {
      worker.once('online', () => {
        this.#ready = true;
        resolve();
      });
      worker.once('exit', () => resolve());
    });
    // After the listeners: adding a 'message' listener makes the thread hold the process open again.
    worker.unref();
    this.#worker = worker;
    return worker;
  }

  #fail(reason: string): void {
    this.#failed = true;
    this.#ready = false;
    this.#worker = undefined;
    for (const resolve of this.#pending.values()) resolve({ ok: false, reason });
    this.#pending.clear();
  }
}

/** Files up to this size are always scanned on the calling thread (about 0.1 ms of scanning). */
export const SCAN_IN_PLACE_BYTES = 64 * 1024;

let shared: ScanWorker | undefined;

/** The process's scanning thread, shared by every replay (started on first use). */
export function sharedScanWorker(): ScanWorker {
  shared ??= new ScanWorker();
  return shared;
}

function inPlace(bytes: Buffer): Promise<Scanned> {
  return Promise.resolve({ ok: true, bytes, layout: scanLogFile(bytes) });
}

interface ScanRequest {
  id: number;
  buffer: ArrayBuffer;
  length: number;
}

interface ScanReply {
  id: number;
  buffer: ArrayBuffer;
  length: number;
  layout: Int32Array | undefined;
}

/** True when `bytes` starts its memory, and that memory is no part of Node's shared pool of small buffers. */
function isTransferable(bytes: Buffer): boolean {
  return (
    bytes.length > 0 &&
    bytes.byteOffset === 0 &&
    bytes.buffer instanceof ArrayBuffer &&
    bytes.buffer.byteLength > Buffer.poolSize
  );
}

function workerSource(): string {
  // `__name`: a TypeScript runner that keeps function names (tsx, esbuild) may wrap the scanner's inner
  // functions in calls to a helper that the source text refers to but does not define.
  return `'use strict';
const { parentPort } = require('node:worker_threads');
const __name = (target) => target;
const scanLogFile = ${scanLogFile.toString()};
parentPort.on('message', ({ id, buffer, length }) => {
  const layout = scanLogFile(new Uint8Array(buffer, 0, length));
  parentPort.postMessage({ id, buffer, length, layout }, layout ? [buffer, layout.buffer] : [buffer]);
});
`;
}
