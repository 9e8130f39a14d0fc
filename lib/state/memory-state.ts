import type {
  ClaimKey,
  ClaimRequest,
  ClaimResult,
  CounterEntry,
  MemoryEntry,
  StatePort,
} from './state-port.ts';

interface StoredClaim {
  findingId: string;
  firedAt: number;
  until: number;
  count: number;
  eventIds: Set<string>;
  owner: string;
  confirmed: boolean;
}

/**
 * The state port in process memory: the embedded default for `trailguard detect`. Memory is bounded by
 * what the detectors can still look at (the engine prunes behind its watermark), not by the trail's size.
 */
export class MemoryState implements StatePort {
  readonly #counters = new Map<string, Map<string, CounterEntry>>();
  readonly #claims = new Map<string, StoredClaim>();
  readonly #memory = new Map<string, MemoryEntry>();

  async addEntries(entries: readonly CounterEntry[]): Promise<void> {
    for (const entry of entries) {
      const byEvent = this.#counters.get(entry.key) ?? new Map<string, CounterEntry>();
      this.#counters.set(entry.key, byEvent);
      if (!byEvent.has(entry.eventId)) byEvent.set(entry.eventId, entry);
    }
  }

  async readEntries(keys: readonly string[], from: number, to: number): Promise<Map<string, CounterEntry[]>> {
    const result = new Map<string, CounterEntry[]>();
    for (const key of new Set(keys)) {
      const entries: CounterEntry[] = [];
      for (const entry of this.#counters.get(key)?.values() ?? []) {
        if (entry.time >= from && entry.time <= to) entries.push(entry);
      }
      result.set(key, entries);
    }
    return result;
  }

  async addAndRead(
    entries: readonly CounterEntry[],
    from: number,
    to: number,
  ): Promise<Map<string, CounterEntry[]>> {
    await this.addEntries(entries);
    return this.readEntries(
      entries.map((e) => e.key),
      from,
      to,
    );
  }

  async claim(claims: readonly ClaimRequest[]): Promise<ClaimResult[]> {
    return claims.map((request) => {
      const stored = this.#claims.get(request.key);
      if (stored && request.at < stored.until && request.at > stored.firedAt - request.cooldownMs) {
        for (const id of request.eventIds) stored.eventIds.add(id);
        stored.count = stored.eventIds.size;
        if (!stored.confirmed && stored.owner !== request.owner) {
          stored.owner = request.owner;
          return { first: true, findingId: stored.findingId };
        }
        return { first: false, findingId: stored.findingId, firedAt: stored.firedAt, count: stored.count };
      }
      this.#claims.set(request.key, {
        findingId: request.findingId,
        firedAt: request.at,
        until: request.at + request.cooldownMs,
        count: request.eventIds.length,
        eventIds: new Set(request.eventIds),
        owner: request.owner,
        confirmed: false,
      });
      return { first: true };
    });
  }

  async confirm(claims: readonly ClaimKey[]): Promise<void> {
    for (const { key, findingId } of claims) {
      const stored = this.#claims.get(key);
      if (stored?.findingId === findingId) stored.confirmed = true;
    }
  }

  async remember(entries: readonly MemoryEntry[]): Promise<void> {
    for (const entry of entries) this.#memory.set(entry.key, entry);
  }

  async recall(keys: readonly string[]): Promise<Map<string, MemoryEntry>> {
    const result = new Map<string, MemoryEntry>();
    for (const key of keys) {
      const entry = this.#memory.get(key);
      if (entry) result.set(key, entry);
    }
    return result;
  }

  async prune(before: number): Promise<void> {
    for (const [key, byEvent] of this.#counters) {
      for (const [eventId, entry] of byEvent) if (entry.time < before) byEvent.delete(eventId);
      if (byEvent.size === 0) this.#counters.delete(key);
    }
    for (const [key, claim] of this.#claims) if (claim.until < before) this.#claims.delete(key);
    for (const [key, entry] of this.#memory) if (entry.expiresAt < before) this.#memory.delete(key);
  }
}
