import type { Finding } from '../engine/finding.ts';
import {
  type Attempt,
  type Delivery,
  type DeliveryKey,
  deliveryKey,
  type Outbox,
  type PendingDelivery,
} from './outbox.ts';

/** The state of one delivery, as MemoryOutbox keeps it and FileOutbox writes it. */
export interface DeliveryState {
  findingId: string;
  sink: string;
  finding?: Finding;
  createdAt: number;
  attempts: number;
  state: 'pending' | 'sent' | 'failed';
  leaseUntil?: number;
  lastError?: string;
  doneAt?: number;
}

/**
 * The outbox state machine over a map: record (idempotent), begin (counts the attempt, leases), mark sent
 * or failed. MemoryOutbox is this map alone; FileOutbox replays its log into one and appends each change.
 * The finding is dropped once a delivery is done: only the marker is needed to refuse a re-send.
 */
export class DeliveryTable {
  readonly #rows = new Map<string, DeliveryState>();

  get rows(): IterableIterator<DeliveryState> {
    return this.#rows.values();
  }

  get size(): number {
    return this.#rows.size;
  }

  get(key: DeliveryKey): DeliveryState | undefined {
    return this.#rows.get(deliveryKey(key));
  }

  /** Sets a row as read back from storage (FileOutbox replay). */
  put(row: DeliveryState): void {
    this.#rows.set(deliveryKey(row), row);
  }

  delete(key: DeliveryKey): void {
    this.#rows.delete(deliveryKey(key));
  }

  /** The deliveries not recorded yet, now recorded; those already present are not returned. */
  record(deliveries: readonly Delivery[], now: number): DeliveryState[] {
    const added: DeliveryState[] = [];
    for (const { findingId, sink, finding } of deliveries) {
      if (this.get({ findingId, sink })) continue;
      const row: DeliveryState = { findingId, sink, finding, createdAt: now, attempts: 0, state: 'pending' };
      this.put(row);
      added.push(row);
    }
    return added;
  }

  pending(limit: number): PendingDelivery[] {
    const found: PendingDelivery[] = [];
    for (const row of this.#rows.values()) {
      if (row.state !== 'pending' || row.finding === undefined) continue;
      const { findingId, sink, finding, createdAt } = row;
      found.push({ findingId, sink, finding, createdAt });
    }
    return found.sort((a, b) => a.createdAt - b.createdAt).slice(0, limit);
  }

  countPending(): number {
    let count = 0;
    for (const row of this.#rows.values()) if (row.state === 'pending') count++;
    return count;
  }

  begin(key: DeliveryKey, now: number, leaseMs: number): DeliveryState | undefined {
    const row = this.get(key);
    if (row?.state !== 'pending' || (row.leaseUntil !== undefined && row.leaseUntil > now)) return undefined;
    row.attempts += 1;
    row.leaseUntil = now + leaseMs;
    return row;
  }

  markSent(key: DeliveryKey, now: number): DeliveryState | undefined {
    const row = this.get(key);
    if (!row) return undefined;
    row.state = 'sent';
    row.doneAt = now;
    row.leaseUntil = undefined;
    row.finding = undefined;
    return row;
  }

  markFailed(key: DeliveryKey, error: string, giveUp: boolean, now: number): DeliveryState | undefined {
    const row = this.get(key);
    if (row?.state !== 'pending') return undefined;
    row.lastError = error;
    row.leaseUntil = undefined;
    if (giveUp) {
      row.state = 'failed';
      row.doneAt = now;
      row.finding = undefined;
    }
    return row;
  }
}

/** The outbox in memory: for tests and for callers that accept losing pending alerts with the process. */
export class MemoryOutbox implements Outbox {
  readonly table = new DeliveryTable();

  async record(deliveries: readonly Delivery[], now: number): Promise<void> {
    this.table.record(deliveries, now);
  }

  async pending(limit: number): Promise<PendingDelivery[]> {
    return this.table.pending(limit);
  }

  async countPending(): Promise<number> {
    return this.table.countPending();
  }

  async begin(key: DeliveryKey, now: number, leaseMs: number): Promise<Attempt | undefined> {
    const row = this.table.begin(key, now, leaseMs);
    return row && { attempts: row.attempts };
  }

  async markSent(key: DeliveryKey, now: number): Promise<void> {
    this.table.markSent(key, now);
  }

  async markFailed(key: DeliveryKey, error: string, giveUp: boolean, now: number): Promise<void> {
    this.table.markFailed(key, error, giveUp, now);
  }
}
