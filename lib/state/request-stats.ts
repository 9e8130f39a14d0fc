/** Which part of the port a request served. */
export type StatePart = 'counters' | 'claims' | 'memory';

/**
 * DynamoDB requests made by a store, by operation and by part of the port: what `trailguard detect
 * --stats` reports and what tests hold the batching to. A conditional write that fails still counts
 * (DynamoDB bills it too); the SDK's own retries are counted apart, in `retries`.
 */
export class RequestStats {
  readonly byOperation = new Map<string, number>();
  readonly byPart = new Map<StatePart, number>();
  /** Counter entries written (one per key and event in a batch): what counter requests are per. */
  countedEntries = 0;
  /** Attempts the SDK retried (throttling, transient errors), on top of the requests counted. */
  retries = 0;

  get total(): number {
    let total = 0;
    for (const n of this.byOperation.values()) total += n;
    return total;
  }

  /** Counts one request of `operation` for `part` and passes its promise through. */
  async track<T>(operation: string, part: StatePart, pending: Promise<T>): Promise<T> {
    this.byOperation.set(operation, (this.byOperation.get(operation) ?? 0) + 1);
    this.byPart.set(part, (this.byPart.get(part) ?? 0) + 1);
    try {
      const output = await pending;
      this.#countRetries(output);
      return output;
    } catch (error) {
      this.#countRetries(error);
      throw error;
    }
  }

  #countRetries(result: unknown): void {
    const attempts = (result as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts;
    if (typeof attempts === 'number' && attempts > 1) this.retries += attempts - 1;
  }
}
