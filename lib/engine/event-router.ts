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
  // By source, then name: no key string to build per event.
  readonly #cache = new Map<string, Map<string, Route>>();
  #cached = 0;

  constructor(detectors: readonly Detector[]) {
    this.#detectors = detectors;
  }

  /** The detectors that want this event (a shared array: read it, do not change it). */
  route(event: NormalizedEvent): readonly Detector[] {
    const route = this.#routeFor(event.source, event.name);
    if (route.byKind)
      return route.byKind[
        (event.readOnly ? 1 : 0) + (event.outcome === 'denied' ? 2 : 0)
      ] as readonly Detector[];
    const routed: Detector[] = [];
    for (const candidate of route.candidates) {
      for (const need of candidate.needs) {
        if (acceptsEvent(need, event)) {
          routed.push(candidate.detector);
          break;
        }
      }
    }
    return routed;
  }

  #routeFor(source: string, name: string): Route {
    let byName = this.#cache.get(source);
    let route = byName?.get(name);
    if (route !== undefined) return route;
    route = this.#build(source, name);
    // Sources and names are AWS's closed sets; the bound only guards against a stream of junk names.
    if (this.#cached < MAX_CACHED) {
      if (byName === undefined) {
        byName = new Map();
        this.#cache.set(source, byName);
      }
      byName.set(name, route);
      this.#cached++;
    }
    return route;
  }

  #build(source: string, name: string): Route {
    const candidates: RoutedDetector[] = [];
    for (const detector of this.#detectors) {
      const needs = detector.needs.filter(
        (need) =>
          (need.source === '*' || need.source === source) && (!need.names || need.names.includes(name)),
      );
      if (needs.length > 0) candidates.push({ detector, needs });
    }
    if (candidates.some(({ needs }) => needs.some((need) => need.errorCodes))) return { candidates };
    // Without error-code needs, the answer only depends on read-only and denied: work out all four now.
    const kinds = [false, true].flatMap((denied) =>
      [false, true].map((readOnly) => {
        const probe = { readOnly, outcome: denied ? 'denied' : 'success' } as NormalizedEvent;
        return Object.freeze(
          candidates
            .filter(({ needs }) => needs.some((need) => acceptsEvent(need, probe)))
            .map(({ detector }) => detector),
        );
      }),
    );
    return { candidates, byKind: kinds };
  }
}

interface Route {
  candidates: readonly RoutedDetector[];
  /** The routed detectors by `(readOnly ? 1 : 0) + (denied ? 2 : 0)`, when no need looks at error codes. */
  byKind?: readonly (readonly Detector[])[];
}

const MAX_CACHED = 50_000;

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
