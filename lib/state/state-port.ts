/**
 * The state port: everything the engine keeps between events, behind one interface with an in-memory
 * implementation (replays, tests) and a DynamoDB one (Lambda). Detectors never see it; the engine does one
 * call per method per batch, so a batch of events costs one round trip per distinct key, not per event.
 *
 * Counters are sets of entries keyed by event id, not numbers: adding the same event twice (EventBridge
 * redelivery, a replay over the same files, two processes on overlapping input) changes nothing, so counts
 * stay exact under at-least-once delivery without a separate dedup step.
 */

/** One counted event under a key (e.g. one denial by one principal). */
export interface CounterEntry {
  key: string;
  /** Event time, epoch ms. */
  time: number;
  eventId: string;
  /** Small facts for the finding's evidence (action, resource, error code…). */
  facets?: Readonly<Record<string, string>>;
}

/** A request to raise a finding under `key` unless one was raised within its cooldown. */
export interface ClaimRequest {
  /**
   * Who asks: one random id per engine instance. A claim starts unconfirmed; until its owner confirms
   * that the finding was handed on (recorded in the alert outbox, or written out), another owner's claim
   * on the same key re-raises it instead of folding into it.
   */
  owner: string;
  /** Detector id and finding key, e.g. `access-denied-spike|arn:aws:iam::1:role/x`. */
  key: string;
  /** Event time of the triggering event (epoch ms): cooldowns run on event time. */
  at: number;
  cooldownMs: number;
  /** The id the finding gets if this claim is the first. */
  findingId: string;
  /** Events to fold into the stored finding when it is not the first. */
  eventIds: readonly string[];
}

/**
 * What a claim decided, in request order:
 *
 * - `{ first: true }`: no finding with this key fired within the cooldown; raise it under the request's
 *   `findingId`. The claim is stored unconfirmed, owned by the requester.
 * - `{ first: true, findingId }`: a re-raise. A finding with this key fired within the cooldown, but its
 *   claim is still unconfirmed and another owner took it (a process that died, or whose outbox write
 *   failed, before handing the finding on). Raise it again under the STORED `findingId`, so the outbox
 *   (idempotent per finding and sink) sends it at most once; the requester now owns the claim and the
 *   repeat's events are folded in.
 * - `{ first: false, … }`: a finding with this key fired within the cooldown and is confirmed, or is owned
 *   by the requester itself (one run's burst); the repeat was folded into it.
 */
export type ClaimResult =
  | { first: true; findingId?: string }
  | { first: false; findingId: string; firedAt: number; count: number };

/** Names one stored claim for `confirm`: its key, and the finding id it must still hold. */
export interface ClaimKey {
  key: string;
  findingId: string;
}

/** A value remembered under a key until it expires (e.g. an access key issued to a CI runner). */
export interface MemoryEntry {
  key: string;
  value: string;
  /** Epoch ms (event time) after which the entry is gone. */
  expiresAt: number;
}

export interface StatePort {
  /** Adds counter entries; an entry already present (same key and event id) is not added again. */
  addEntries(entries: readonly CounterEntry[]): Promise<void>;
  /** The entries of each key with `from <= time <= to`. */
  readEntries(keys: readonly string[], from: number, to: number): Promise<Map<string, CounterEntry[]>>;
  /**
   * Adds entries, then returns the entries of their keys with `from <= time <= to` (the engine's one call
   * per batch: a store may answer both with one request per key).
   */
  addAndRead(
    entries: readonly CounterEntry[],
    from: number,
    to: number,
  ): Promise<Map<string, CounterEntry[]>>;
  /** Claims findings in order; each result says whether that claim fired first. */
  claim(claims: readonly ClaimRequest[]): Promise<ClaimResult[]>;
  /**
   * Marks claims confirmed: their findings were handed on, so later claims fold into them whoever asks.
   * A claim that no longer holds `findingId` (replaced after its cooldown, or expired) is left alone.
   */
  confirm(claims: readonly ClaimKey[]): Promise<void>;
  remember(entries: readonly MemoryEntry[]): Promise<void>;
  /** The remembered entries for these keys (callers judge expiry against their own event time). */
  recall(keys: readonly string[]): Promise<Map<string, MemoryEntry>>;
  /** Drops what nothing can read any more: entries older than `before` (event time). */
  prune(before: number): Promise<void>;
}
