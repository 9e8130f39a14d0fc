/**
 * Small helpers shared by the query aggregations: ISO times for cells, bounded sets of distinct values,
 * and a composite map key that cannot collide (NUL never occurs in CloudTrail text fields we key on).
 */

/** Distinct values kept per list cell; past this the list ends with `…` so memory stays bounded. */
export const MAX_DISTINCT = 1_000;
export const MORE = '…';

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

export function compositeKey(...parts: readonly (string | undefined)[]): string {
  return parts.map((p) => p ?? '').join('\u0000');
}

/** A set of distinct strings that stops growing at `limit` and remembers that it did. */
export class BoundedSet {
  readonly #values = new Set<string>();
  #overflow = false;

  constructor(readonly limit = MAX_DISTINCT) {}

  add(value: string | undefined): void {
    if (value === undefined || this.#values.has(value)) return;
    if (this.#values.size >= this.limit) this.#overflow = true;
    else this.#values.add(value);
  }

  get size(): number {
    return this.#values.size;
  }

  get overflowed(): boolean {
    return this.#overflow;
  }

  /** Sorted values, ending with `…` when some were not kept. */
  list(): string[] {
    const sorted = [...this.#values].sort();
    return this.#overflow ? [...sorted, MORE] : sorted;
  }
}

/** First/last seen, widened by each observation. */
export interface TimeSpan {
  first: number;
  last: number;
}

export function widen(span: TimeSpan, first: number, last: number): void {
  if (first < span.first) span.first = first;
  if (last > span.last) span.last = last;
}
