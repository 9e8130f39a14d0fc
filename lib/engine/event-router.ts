import type { NormalizedEvent } from '../events/normalized-event.ts';
import type { Detector, EventNeed } from './detector.ts';

/**
 * Picks the detectors whose declared needs an event can meet, so each detector only sees events it asked
 * for: the same filter EventBridge applies live (including "read-only events only for rules that ask for
 * them"), applied locally so replays and the live stream agree. The answer per (source, name) is computed
 * once and cached.
 */
export class EventRouter {
  readonly #detectors: readonly Detector[];
  readonly #cache = new Map<string, readonly RoutedDetector[]>();

  constructor(detectors: readonly Detector[]) {
    this.#detectors = detectors;
  }

  /** The detectors that want this event. */
  route(event: NormalizedEvent): Detector[] {
    const cacheKey = `${event.source}\u0000${event.name}`;
    let candidates = this.#cache.get(cacheKey);
    if (candidates === undefined) {
      candidates = this.#candidatesFor(event.source, event.name);
      this.#cache.set(cacheKey, candidates);
    }
    const routed: Detector[] = [];
    for (const candidate of candidates) {
      if (candidate.needs.some((need) => acceptsEvent(need, event))) routed.push(candidate.detector);
    }
    return routed;
  }

  #candidatesFor(source: string, name: string): RoutedDetector[] {
    const candidates: RoutedDetector[] = [];
    for (const detector of this.#detectors) {
      const needs = detector.needs.filter(
        (need) =>
          (need.source === '*' || need.source === source) && (!need.names || need.names.includes(name)),
      );
      if (needs.length > 0) candidates.push({ detector, needs });
    }
    return candidates;
  }
}

interface RoutedDetector {
  detector: Detector;
  needs: readonly EventNeed[];
}

function acceptsEvent(need: EventNeed, event: NormalizedEvent): boolean {
  if (event.readOnly && !need.readOnly) return false;
  if (need.deniedOnly && event.outcome !== 'denied') return false;
  if (need.errorCodes && (event.errorCode === undefined || !need.errorCodes.includes(event.errorCode)))
    return false;
  return true;
}
