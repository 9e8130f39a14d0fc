import type { ResolvedConfig } from '../config/resolved-config.ts';
import type { NormalizedEvent } from '../events/normalized-event.ts';
import type { ClaimRequest, CounterEntry, MemoryEntry, StatePort } from '../state/state-port.ts';
import type { Detector, DetectorContext, Observation, StatefulDetector } from './detector.ts';
import { EventRouter } from './event-router.ts';
import type { Finding, FindingDraft, Severity } from './finding.ts';
import { buildFinding } from './finding-builder.ts';
import { findingId } from './finding-id.ts';
import { compareEntries, stateViewFor } from './state-view.ts';
import { SuppressionList } from './suppressions.ts';

export interface EngineOptions {
  detectors: readonly Detector[];
  config: ResolvedConfig;
  state: StatePort;
  /** Wall-clock time for suppression expiry (epoch ms); pinned in tests and by `--now`. */
  now: number;
}

/** A detector that threw: isolated, counted, reported; the event is still judged by the others. */
export interface DetectorFailure {
  count: number;
  firstError: string;
  firstEventId: string;
}

/** How long a one-event finding remembers its event, so a redelivery does not raise it again. */
const EVENT_DEDUP_MS = 7 * 86_400_000;

interface Pending {
  detector: Detector;
  event: NormalizedEvent;
  draft: FindingDraft;
}

/**
 * Runs detectors over batches of normalized events and turns their drafts into findings. Owns what
 * detectors must not: state I/O (one round trip per method per batch), event-time windows and lateness,
 * cooldowns (a repeat folds into the first finding), stable ids, suppressions, and isolation of a
 * detector that throws.
 */
export class DetectionEngine {
  readonly suppressions: SuppressionList;
  readonly failures = new Map<string, DetectorFailure>();
  /** Findings raised, by detector id then severity (after suppression). */
  readonly counts = new Map<string, Map<Severity, number>>();
  /** Repeats folded into an earlier finding (cooldowns, redelivered events), by detector id. */
  readonly folded = new Map<string, number>();
  eventsJudged = 0;
  /** Events that arrived later than `engine.lateness` behind the newest. */
  lateEvents = 0;
  /** Counter entries dropped because their event was late: windowed detectors did not count them. */
  lateCounts = 0;

  readonly #router: EventRouter;
  readonly #contexts = new Map<string, DetectorContext>();
  readonly #state: StatePort;
  readonly #lateness: number;
  readonly #maxLookback: number;
  #newest = Number.NEGATIVE_INFINITY;
  #batches = 0;

  constructor(options: EngineOptions) {
    const enabled = options.detectors.filter((d) => options.config.detectors[d.id]?.enabled !== false);
    this.#router = new EventRouter(enabled);
    let maxLookback = 0;
    for (const detector of enabled) {
      const params = (options.config.detectors[detector.id] ??
        detector.params.parse({})) as DetectorContext['params'];
      const context: DetectorContext = { config: options.config, params };
      this.#contexts.set(detector.id, context);
      if (detector.kind === 'stateful') maxLookback = Math.max(maxLookback, detector.lookback(context));
    }
    this.#maxLookback = maxLookback;
    this.#state = options.state;
    this.#lateness = options.config.engine.lateness;
    this.suppressions = new SuppressionList(options.config.suppressions, options.now);
  }

  /** Judges a batch of events (in event-time order where possible); returns the new findings. */
  async process(events: readonly NormalizedEvent[]): Promise<Finding[]> {
    const pending: Pending[] = [];
    const observed: { detector: StatefulDetector; event: NormalizedEvent; observation: Observation }[] = [];
    for (const event of events) {
      this.eventsJudged++;
      const late = event.time < this.#newest - this.#lateness;
      if (late) this.lateEvents++;
      else this.#newest = Math.max(this.#newest, event.time);
      for (const detector of this.#router.route(event)) {
        const context = this.#contexts.get(detector.id) as DetectorContext;
        if (detector.kind === 'event') {
          const draft = this.#guard(detector, event, () => detector.evaluate(event, context));
          if (draft) pending.push({ detector, event, draft });
        } else {
          const observation = this.#guard(detector, event, () => detector.observe(event, context));
          // Lateness bounds counters only: a late event's count would land in a window already judged.
          // Correlation (remember/recall) still works on late events.
          if (observation && late && observation.count) this.lateCounts++;
          else if (observation) observed.push({ detector, event, observation });
        }
      }
    }
    if (observed.length > 0) pending.push(...(await this.#judgeStateful(observed)));
    const findings = await this.#claim(pending.sort((a, b) => a.event.time - b.event.time));
    if (++this.#batches % 20 === 0)
      await this.#state.prune(this.#newest - this.#lateness - this.#maxLookback);
    return findings;
  }

  async #judgeStateful(
    observed: { detector: StatefulDetector; event: NormalizedEvent; observation: Observation }[],
  ): Promise<Pending[]> {
    const entries: CounterEntry[] = [];
    const remembered: MemoryEntry[] = [];
    const recallKeys = new Set<string>();
    let from = Number.POSITIVE_INFINITY;
    let to = Number.NEGATIVE_INFINITY;
    for (const { detector, event, observation } of observed) {
      const ns = detector.id;
      for (const c of observation.count ?? []) {
        entries.push({ key: `${ns}|${c.key}`, time: event.time, eventId: event.id, facets: c.facets });
      }
      for (const r of observation.remember ?? []) {
        remembered.push({ key: `${ns}|${r.key}`, value: r.value, expiresAt: event.time + r.ttlMs });
      }
      for (const key of observation.recall ?? []) recallKeys.add(`${ns}|${key}`);
      const lookback = detector.lookback(this.#contexts.get(ns) as DetectorContext);
      from = Math.min(from, event.time - lookback);
      to = Math.max(to, event.time);
    }
    if (entries.length > 0) await this.#state.addEntries(entries);
    if (remembered.length > 0) await this.#state.remember(remembered);
    const keys = [...new Set(entries.map((e) => e.key))];
    const counters = keys.length > 0 ? await this.#state.readEntries(keys, from, to) : new Map();
    for (const list of counters.values()) list.sort(compareEntries);
    const memory = recallKeys.size > 0 ? await this.#state.recall([...recallKeys]) : new Map();

    const pending: Pending[] = [];
    for (const { detector, event } of observed) {
      const context = this.#contexts.get(detector.id) as DetectorContext;
      const view = stateViewFor(event, detector.id, detector.lookback(context), counters, memory);
      const draft = this.#guard(detector, event, () => detector.judge(event, view, context));
      if (draft) pending.push({ detector, event, draft });
    }
    return pending;
  }

  async #claim(pending: readonly Pending[]): Promise<Finding[]> {
    if (pending.length === 0) return [];
    const claims: ClaimRequest[] = pending.map(({ detector, event, draft }) => {
      const keyed = draft.key !== undefined;
      const cooldown = this.#contexts.get(detector.id)?.params.cooldown;
      return {
        key: `${detector.id}|${keyed ? `key:${draft.key}` : `event:${event.id}`}`,
        at: event.time,
        cooldownMs: keyed ? (cooldown ?? draft.cooldownMs ?? EVENT_DEDUP_MS) : EVENT_DEDUP_MS,
        findingId: keyed
          ? findingId(detector.id, draft.key as string, new Date(event.time).toISOString())
          : findingId(detector.id, event.id),
        eventIds: draft.eventIds ?? [event.id],
      };
    });
    const results = await this.#state.claim(claims);
    const findings: Finding[] = [];
    results.forEach((result, index) => {
      const { detector, event, draft } = pending[index] as Pending;
      if (!result.first) {
        this.folded.set(detector.id, (this.folded.get(detector.id) ?? 0) + 1);
        return;
      }
      const override = this.#contexts.get(detector.id)?.params.severity as Severity | undefined;
      const finding = buildFinding(
        detector,
        event,
        draft,
        (claims[index] as ClaimRequest).findingId,
        override,
      );
      if (this.suppressions.match(finding)) return;
      const bySeverity = this.counts.get(finding.detector) ?? new Map<Severity, number>();
      this.counts.set(finding.detector, bySeverity);
      bySeverity.set(finding.severity, (bySeverity.get(finding.severity) ?? 0) + 1);
      findings.push(finding);
    });
    return findings;
  }

  #guard<T>(detector: Detector, event: NormalizedEvent, run: () => T): T | undefined {
    try {
      return run();
    } catch (error) {
      const failure = this.failures.get(detector.id);
      if (failure) failure.count++;
      else {
        const message = error instanceof Error ? error.message : String(error);
        this.failures.set(detector.id, { count: 1, firstError: message, firstEventId: event.id });
      }
      return undefined;
    }
  }
}
