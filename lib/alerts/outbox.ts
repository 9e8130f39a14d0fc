import type { Finding } from '../engine/finding.ts';

/**
 * The outbox: every (finding, sink) delivery is recorded here before anything is sent, and marked once
 * the sink has it. A crash or an outage leaves deliveries pending; `flush` sends them later. A delivery is
 * only sent after `begin` took it (counting the attempt), and `markSent` is durable before the next
 * delivery starts, so a finding reaches a sink twice only if the process dies between the sink accepting
 * it and `markSent` returning — at most one duplicate per finding per sink (Slack has no idempotency key).
 *
 * Implementations: MemoryOutbox (tests, one-shot runs), FileOutbox (local CLI, JSON Lines),
 * DynamoDbOutbox (Lambda and `--state dynamodb:TABLE`, in the state table).
 */

/** One finding to one sink (`slack:<channel>` or `sns:<topic ARN>`). */
export interface DeliveryKey {
  findingId: string;
  sink: string;
}

export interface Delivery extends DeliveryKey {
  finding: Finding;
}

/** A delivery waiting to be sent, as `pending` lists it. */
export interface PendingDelivery extends Delivery {
  /** When it was recorded (epoch ms); `pending` lists the oldest first. */
  createdAt: number;
}

/** What `begin` hands out: which attempt this is (1 for the first). */
export interface Attempt {
  attempts: number;
}

export interface Outbox {
  /**
   * Records deliveries durably. One already recorded — pending, sent or given up — is left as it is,
   * so recording a finding again never re-sends what a sink already has.
   */
  record(deliveries: readonly Delivery[], now: number): Promise<void>;
  /** Up to `limit` pending deliveries, oldest first (including ones another process holds right now). */
  pending(limit: number): Promise<PendingDelivery[]>;
  /** How many deliveries are pending. */
  countPending(): Promise<number>;
  /**
   * Takes a pending delivery for one attempt: counts it, and holds it for `leaseMs` so no other process
   * sends it meanwhile. Undefined when it is sent, given up, or held by another process.
   */
  begin(key: DeliveryKey, now: number, leaseMs: number): Promise<Attempt | undefined>;
  /** The sink has it: never send it again. Durable when the promise resolves. */
  markSent(key: DeliveryKey, now: number): Promise<void>;
  /** The attempt failed; `giveUp` ends the delivery (it is no longer pending). */
  markFailed(key: DeliveryKey, error: string, giveUp: boolean, now: number): Promise<void>;
  /** Releases files, locks or sockets the outbox holds. */
  close?(): Promise<void>;
}

/** Composite key for maps: NUL never occurs in finding ids or sink names we write. */
export function deliveryKey(key: DeliveryKey): string {
  return `${key.findingId}\u0000${key.sink}`;
}
