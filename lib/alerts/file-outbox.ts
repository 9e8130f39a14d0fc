import { type FileHandle, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EXIT, TrailguardError } from '../errors.ts';
import { type DeliveryState, DeliveryTable } from './memory-outbox.ts';
import type { Attempt, Delivery, DeliveryKey, Outbox, PendingDelivery } from './outbox.ts';

/**
 * The outbox in a JSON Lines file, for local `detect --notify` and `alerts flush --outbox FILE`. Every
 * change appends the delivery's whole state as one line and is fsynced before the call returns, so a
 * crash (even SIGKILL mid-send) loses nothing that was recorded; reading replays the lines, the last one
 * per delivery winning, and ignores a torn last line. When superseded lines outnumber live ones the file
 * is rewritten to a temporary file, fsynced and renamed over the original (atomic on POSIX), dropping
 * deliveries done longer ago than the retention.
 *
 * One process at a time: `FILE.lock` holds the owner's pid, and a lock whose process is gone is taken
 * over. Holding the lock, no other process can be sending, so leases left by a killed run are void.
 */

/** A delivery done (sent or given up) is remembered this long, so recording it again sends nothing. */
const DEFAULT_RETENTION_MS = 30 * 86_400_000;
/** Compact when the file has this many more lines than live deliveries. */
const COMPACT_SLACK = 200;

/** Other processes keep the outbox lock; the message names the file (exit 2, like any unusable option). */
export class OutboxBusyError extends TrailguardError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'OutboxBusyError';
  }
}

export interface FileOutboxOptions {
  retentionMs?: number;
  /** Wall clock for retention (epoch ms). */
  now?: () => number;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function acquireLock(path: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        throw new OutboxBusyError(
          `outbox lock ${path} is held by process ${pid} (another trailguard run); wait for it to finish`,
        );
      }
      // The owner died (killed mid-run): its lock is stale.
      await rm(path, { force: true });
    }
  }
  throw new OutboxBusyError(`cannot take the outbox lock ${path}: other processes keep taking it`);
}

function parseLine(line: string): DeliveryState | undefined {
  try {
    const row = JSON.parse(line) as DeliveryState;
    if (typeof row.findingId !== 'string' || typeof row.sink !== 'string') return undefined;
    if (!['pending', 'sent', 'failed'].includes(row.state) || typeof row.attempts !== 'number')
      return undefined;
    return row;
  } catch {
    return undefined;
  }
}

export class FileOutbox implements Outbox {
  readonly path: string;
  readonly #retentionMs: number;
  readonly #now: () => number;
  readonly #table = new DeliveryTable();
  #lines = 0;
  #handle: FileHandle | undefined;
  #locked = false;
  #opening: Promise<void> | undefined;
  /** Lines that did not parse (a torn write from a crash, or damage), for the caller to report. */
  skippedLines = 0;

  constructor(path: string, options: FileOutboxOptions = {}) {
    this.path = path;
    this.#retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Takes the lock and reads the file; every other method does this on first use. */
  open(): Promise<void> {
    this.#opening ??= this.#load();
    return this.#opening;
  }

  async #load(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await acquireLock(`${this.path}.lock`);
    this.#locked = true;
    const text = await readFile(this.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      this.#lines++;
      const row = parseLine(line);
      if (row) this.#table.put({ ...row, leaseUntil: undefined });
      else this.skippedLines++;
    }
    if (this.#lines > this.#table.size + COMPACT_SLACK || this.skippedLines > 0) await this.#compact();
    this.#handle = await open(this.path, 'a');
  }

  /** Rewrites the file with one line per live delivery: temporary file, fsync, rename, fsync the directory. */
  async #compact(): Promise<void> {
    const cutoff = this.#now() - this.#retentionMs;
    for (const row of [...this.#table.rows]) {
      if (row.state !== 'pending' && (row.doneAt ?? 0) < cutoff) this.#table.delete(row);
    }
    const rows = [...this.#table.rows];
    const temporary = `${this.path}.${process.pid}.tmp`;
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.path);
    const directory = await open(dirname(this.path), 'r');
    await directory.sync().finally(() => directory.close());
    this.#lines = rows.length;
  }

  async #append(rows: readonly (DeliveryState | undefined)[]): Promise<void> {
    const present = rows.filter((row): row is DeliveryState => row !== undefined);
    if (present.length === 0) return;
    const handle = this.#handle as FileHandle;
    await handle.write(present.map((row) => `${JSON.stringify(row)}\n`).join(''));
    await handle.datasync();
    this.#lines += present.length;
  }

  async record(deliveries: readonly Delivery[], now: number): Promise<void> {
    await this.open();
    await this.#append(this.#table.record(deliveries, now));
  }

  async pending(limit: number): Promise<PendingDelivery[]> {
    await this.open();
    return this.#table.pending(limit);
  }

  async countPending(): Promise<number> {
    await this.open();
    return this.#table.countPending();
  }

  async begin(key: DeliveryKey, now: number, leaseMs: number): Promise<Attempt | undefined> {
    await this.open();
    const row = this.#table.begin(key, now, leaseMs);
    // The attempt is on disk before the send, so a crash mid-send still counts it.
    await this.#append([row]);
    return row && { attempts: row.attempts };
  }

  async markSent(key: DeliveryKey, now: number): Promise<void> {
    await this.open();
    await this.#append([this.#table.markSent(key, now)]);
  }

  async markFailed(key: DeliveryKey, error: string, giveUp: boolean, now: number): Promise<void> {
    await this.open();
    await this.#append([this.#table.markFailed(key, error, giveUp, now)]);
  }

  async close(): Promise<void> {
    if (this.#opening === undefined) return;
    await this.#opening.catch(() => {});
    this.#opening = undefined;
    await this.#handle?.close();
    this.#handle = undefined;
    if (this.#locked) await rm(`${this.path}.lock`, { force: true });
    this.#locked = false;
  }
}
