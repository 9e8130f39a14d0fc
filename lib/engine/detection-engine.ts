import { randomUUID } from 'node:crypto';
import type { NormalizedEvent } from '../events/normalized-event.ts';
import type { Inventory } from '../inventory/inventory.ts';
import { type LineageDemand, LineageResolver, type Prefetch } from '../lineage/lineage-resolver.ts';
import type { ClaimKey, ClaimRequest, CounterEntry, MemoryEntry, StatePort } from '../state/state-port.ts';
import type {
  Detector,
  DetectorContext,
  DetectorSettings,
  EventDetector,
  Observation,
  StatefulDetector,
  StateView,
} from './detector.ts';
import { EventRouter } from './event-router.ts';
import type { Finding, FindingDraft, Severity } from './finding.ts';
import { buildFinding } from './finding-builder.ts';
import { findingId } from './finding-id.ts';
import { markSorted } from './sorted-entries.ts';
import { compareEntries, namespacedKey, stateViewFor } from './state-view.ts';
import { type Suppression, SuppressionList } from './suppressions.ts';

/**
 * The part of the config the engine reads. A `ResolvedConfig` is one (lib/config builds it), so callers
 * pass theirs; the engine itself never depends on the config module.
 */
export interface EngineConfig {
  inventory: Inventory;
  engine: { lateness: number; stackOperationWindow: number };
  /** Per detector id: its settings merged with its own parameters (defaults applied). */
  detectors: Readonly<Record<string, DetectorSettings & Record<string, unknown>>>;
  suppressions: readonly Suppression[];
}

export interface EngineOptions {
  detectors: readonly Detector[];
  config: EngineConfig;
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
/** Rounds of judging again per batch: each can link one more hop of a chain that arrived backwards. */
const MAX_RELINK_ROUNDS = 8;

interface Pending {
  detector: Detector;
  event: NormalizedEvent;
  draft: FindingDraft;
}

/** What the engine keeps per enabled detector, resolved once at construction. */
interface Enabled {
  context: DetectorContext;
  /** For stateful detectors: how far back their views reach (fixed by the config). */
  lookback: number;
}

interface Observed {
  detector: StatefulDetector;
  enabled: Enabled;
  event: NormalizedEvent;
  observation: Observation;
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
  /** Findings raised again because another engine claimed them and never confirmed (see `confirm`). */
  reraised = 0;
  /** Events judged again because the link to their origin arrived after them (lib/lineage). */
  relinked = 0;
  /** This instance's claim owner: repeats within one engine fold, whatever their batch. */
  readonly owner = randomUUID();

  readonly #router: EventRouter;
  readonly #contexts = new Map<string, DetectorContext>();
  readonly #enabled = new Map<Detector, Enabled>();
  readonly #state: StatePort;
  /** Set when an enabled detector reads lineage. */
  readonly #lineage: LineageResolver | undefined;
  readonly #lateness: number;
  readonly #maxLookback: number;
  #newest = Number.NEGATIVE_INFINITY;
  #batches = 0;
  /** Claims of raised findings not confirmed yet, by finding id. */
  readonly #unconfirmed = new Map<string, ClaimKey>();
  /** Claims of suppressed findings: nothing to hand on, so the next `confirm` settles them. */
  #suppressed: ClaimKey[] = [];

  constructor(options: EngineOptions) {
    const enabled = options.detectors.filter((d) => options.config.detectors[d.id]?.enabled !== false);
    this.#router = new EventRouter(enabled);
    let maxLookback = 0;
    for (const detector of enabled) {
      const params = (options.config.detectors[detector.id] ??
        detector.params.parse({})) as DetectorContext['params'];
      const context: DetectorContext = { inventory: options.config.inventory, params };
      this.#contexts.set(detector.id, context);
      const lookback = detector.kind === 'stateful' ? detector.lookback(context) : 0;
      this.#enabled.set(detector, { context, lookback });
      maxLookback = Math.max(maxLookback, lookback);
    }
    this.#maxLookback = maxLookback;
    this.#state = options.state;
    this.#lateness = options.config.engine.lateness;
    this.#lineage = enabled.some((detector) => detector.usesLineage)
      ? new LineageResolver(options.state, {
          lateness: this.#lateness,
          stackWindow: options.config.engine.stackOperationWindow,
        })
      : undefined;
    this.suppressions = new SuppressionList(options.config.suppressions, options.now);
  }

  /** Judges a batch of events (in event-time order where possible); returns the new findings. */
  async process(events: readonly NormalizedEvent[]): Promise<Finding[]> {
    const prefetch = this.#lineage ? this.#prefetchOf(events) : undefined;
    const relinked = this.#lineage
      ? await this.#lineage.resolve(events, newestOf(events, this.#newest), this.#demand, prefetch)
      : [];
    const pending: Pending[] = [];
    const observed: Observed[] = [];
    // Indexed loops: for-of here allocated an iterator result per step (the loops run per event).
    for (let e = 0; e < events.length; e++) {
      const event = events[e] as NormalizedEvent;
      this.eventsJudged++;
      const late = event.time < this.#newest - this.#lateness;
      if (late) this.lateEvents++;
      else if (event.time > this.#newest) this.#newest = event.time;
      const routed = this.#router.route(event);
      for (let d = 0; d < routed.length; d++) {
        const detector = routed[d] as Detector;
        const enabled = this.#enabled.get(detector) as Enabled;
        if (detector.kind === 'event') {
          const draft = this.#evaluate(detector, event, enabled.context);
          if (draft) pending.push({ detector, event, draft });
        } else {
          const observation = this.#observe(detector, event, enabled.context);
          // Lateness bounds counters only: a late event's count would land in a window already judged.
          // Correlation (remember/recall) still works on late events.
          if (observation && late && observation.count) this.lateCounts++;
          else if (observation) observed.push({ detector, enabled, event, observation });
        }
      }
    }
    if (observed.length > 0) pending.push(...(await this.#judgeStateful(observed, prefetch)));
    const findings = await this.#claim(pending.sort((a, b) => a.event.time - b.event.time));
    if (relinked.length > 0) findings.push(...(await this.#judgeAgain(relinked)));
    if (++this.#batches % 20 === 0)
      await this.#state.prune(this.#newest - this.#lateness - this.#maxLookback);
    return findings;
  }

  /**
   * Confirms the claims of these findings (and of any suppressed since the last call): call it once the
   * findings were handed on durably — recorded in the alert outbox, or written out. Until then another
   * engine meeting the same key (a redelivery, a restarted replay) raises the finding again under the same
   * id instead of folding it, so a finding claimed by a process that died before handing it on is never
   * lost; the outbox sends each (finding, sink) at most once.
   */
  async confirm(findings: readonly Finding[]): Promise<void> {
    const claims = this.#suppressed;
    for (const finding of findings) {
      const claim = this.#unconfirmed.get(finding.id);
      if (claim) claims.push(claim);
    }
    if (claims.length === 0) return;
    await this.#state.confirm(claims);
    this.#suppressed = [];
    for (const finding of findings) this.#unconfirmed.delete(finding.id);
  }

  /** What the detectors an event reaches ask of its lineage (see LineageDemand). */
  readonly #demand: LineageDemand = {
    needs: (event) => {
      const routed = this.#router.route(event);
      for (let d = 0; d < routed.length; d++) {
        const detector = routed[d] as Detector;
        if (!detector.usesLineage) continue;
        if (detector.readsLineage === undefined) return true;
        const { context } = this.#enabled.get(detector) as Enabled;
        try {
          if (detector.readsLineage(event, context)) return true;
        } catch (error) {
          this.#fail(detector, event, error);
        }
      }
      return false;
    },
    wants: (event) => {
      const routed = this.#router.route(event);
      for (let d = 0; d < routed.length; d++) {
        const detector = routed[d] as Detector;
        if (detector.kind !== 'event' || detector.reconsiderWhenLinked === undefined) continue;
        const { context } = this.#enabled.get(detector) as Enabled;
        try {
          if (detector.reconsiderWhenLinked(event, context)) return true;
        } catch (error) {
          this.#fail(detector, event, error);
        }
      }
      return false;
    },
  };

  /**
   * Judges again, with their lineage, events that were judged before the assumption or stack operation
   * behind them arrived. Only detectors that asked for it see them again; their claims are per event, so
   * a finding the first judgement already raised folds.
   */
  async #judgeAgain(events: readonly NormalizedEvent[]): Promise<Finding[]> {
    const lineage = this.#lineage as LineageResolver;
    const findings: Finding[] = [];
    let round = events;
    for (let depth = 0; round.length > 0 && depth < MAX_RELINK_ROUNDS; depth++) {
      const next = await lineage.resolve(round, this.#newest, this.#demand);
      const pending: Pending[] = [];
      for (const event of round) {
        this.relinked++;
        for (const detector of this.#router.route(event)) {
          if (detector.kind !== 'event' || detector.reconsiderWhenLinked === undefined) continue;
          const draft = this.#evaluate(detector, event, (this.#enabled.get(detector) as Enabled).context);
          if (draft) pending.push({ detector, event, draft });
        }
      }
      findings.push(...(await this.#claim(pending)));
      round = next;
    }
    return findings;
  }

  /**
   * The keys stateful detectors will recall for these events, fetched in lineage's round trip (a detector
   * whose observation depends on lineage would otherwise wait for lineage, then recall: two round trips
   * per event in direct delivery). Undefined when no detector prefetches.
   */
  #prefetchOf(events: readonly NormalizedEvent[]): Prefetch | undefined {
    let keys: Set<string> | undefined;
    for (let e = 0; e < events.length; e++) {
      const event = events[e] as NormalizedEvent;
      const routed = this.#router.route(event);
      for (let d = 0; d < routed.length; d++) {
        const detector = routed[d] as Detector;
        if (detector.kind !== 'stateful' || detector.prefetch === undefined) continue;
        const { context } = this.#enabled.get(detector) as Enabled;
        let key: string | undefined;
        try {
          key = detector.prefetch(event, context);
        } catch (error) {
          this.#fail(detector, event, error);
        }
        if (key === undefined) continue;
        keys ??= new Set();
        keys.add(namespacedKey(detector.id, key));
      }
    }
    return keys === undefined ? undefined : { keys, found: new Map() };
  }

  async #judgeStateful(observed: readonly Observed[], prefetch?: Prefetch): Promise<Pending[]> {
    const entries: CounterEntry[] = [];
    const remembered: MemoryEntry[] = [];
    const recallKeys = new Set<string>();
    let from = Number.POSITIVE_INFINITY;
    let to = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < observed.length; i++) {
      const { detector, enabled, event, observation } = observed[i] as Observed;
      const ns = detector.id;
      const { count, remember, recall } = observation;
      if (count) {
        for (let c = 0; c < count.length; c++) {
          const { key: own, facets } = count[c] as (typeof count)[number];
          const key = namespacedKey(ns, own);
          entries.push({ key, time: event.time, eventId: event.id, facets });
        }
      }
      if (remember) {
        for (let r = 0; r < remember.length; r++) {
          const { key, value, ttlMs } = remember[r] as (typeof remember)[number];
          remembered.push({ key: namespacedKey(ns, key), value, expiresAt: event.time + ttlMs });
        }
      }
      if (recall)
        for (let r = 0; r < recall.length; r++) recallKeys.add(namespacedKey(ns, recall[r] as string));
      if (event.time - enabled.lookback < from) from = event.time - enabled.lookback;
      if (event.time > to) to = event.time;
    }
    // Counters and remembered values are independent: their round trips overlap.
    const [counters, memory] = await Promise.all([
      entries.length > 0 ? this.#state.addAndRead(entries, from, to) : new Map<string, CounterEntry[]>(),
      this.#rememberAndRecall(remembered, recallKeys, prefetch),
    ]);
    for (const list of counters.values()) sortForViews(list);

    const pending: Pending[] = [];
    for (let i = 0; i < observed.length; i++) {
      const { detector, enabled, event, observation } = observed[i] as Observed;
      if (observation.onlyIfRecalled && !anyRecalled(detector.id, observation.recall, memory)) continue;
      const view = stateViewFor(event, detector.id, enabled.lookback, counters, memory);
      const draft = this.#judge(detector, event, view, enabled.context);
      if (draft) pending.push({ detector, event, draft });
    }
    return pending;
  }

  async #rememberAndRecall(
    remembered: readonly MemoryEntry[],
    recallKeys: ReadonlySet<string>,
    prefetch: Prefetch | undefined,
  ): Promise<Map<string, MemoryEntry>> {
    // Remember first: an event may recall what an earlier event of the same batch remembered.
    if (remembered.length > 0) await this.#state.remember(remembered);
    if (prefetch === undefined) return recallKeys.size > 0 ? this.#state.recall([...recallKeys]) : new Map();
    const missing: string[] = [];
    for (const key of recallKeys) if (!prefetch.keys.has(key)) missing.push(key);
    const memory = missing.length > 0 ? await this.#state.recall(missing) : new Map<string, MemoryEntry>();
    for (const [key, entry] of prefetch.found) if (recallKeys.has(key)) memory.set(key, entry);
    // The prefetch predates this batch's remembers, which the store would return: they win, in order.
    for (const entry of remembered) if (recallKeys.has(entry.key)) memory.set(entry.key, entry);
    return memory;
  }

  async #claim(pending: readonly Pending[]): Promise<Finding[]> {
    if (pending.length === 0) return [];
    const claims: ClaimRequest[] = pending.map(({ detector, event, draft }) => {
      const keyed = draft.key !== undefined;
      const cooldown = this.#contexts.get(detector.id)?.params.cooldown;
      return {
        owner: this.owner,
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
      const claim = claims[index] as ClaimRequest;
      // A re-raise keeps the stored id, so the outbox sends it at most once.
      const id = result.findingId ?? claim.findingId;
      if (result.findingId !== undefined) this.reraised++;
      const override = this.#contexts.get(detector.id)?.params.severity as Severity | undefined;
      const finding = buildFinding(detector, event, draft, id, override);
      if (this.suppressions.match(finding)) {
        this.#suppressed.push({ key: claim.key, findingId: id });
        return;
      }
      this.#unconfirmed.set(id, { key: claim.key, findingId: id });
      const bySeverity = this.counts.get(finding.detector) ?? new Map<Severity, number>();
      this.counts.set(finding.detector, bySeverity);
      bySeverity.set(finding.severity, (bySeverity.get(finding.severity) ?? 0) + 1);
      findings.push(finding);
    });
    return findings;
  }

  // One method per detector hook rather than a closure per call: these run for most events.
  #evaluate(
    detector: EventDetector,
    event: NormalizedEvent,
    context: DetectorContext,
  ): FindingDraft | undefined {
    try {
      return detector.evaluate(event, context);
    } catch (error) {
      this.#fail(detector, event, error);
      return undefined;
    }
  }

  #observe(
    detector: StatefulDetector,
    event: NormalizedEvent,
    context: DetectorContext,
  ): Observation | undefined {
    try {
      return detector.observe(event, context);
    } catch (error) {
      this.#fail(detector, event, error);
      return undefined;
    }
  }

  #judge(
    detector: StatefulDetector,
    event: NormalizedEvent,
    view: StateView,
    context: DetectorContext,
  ): FindingDraft | undefined {
    try {
      return detector.judge(event, view, context);
    } catch (error) {
      this.#fail(detector, event, error);
      return undefined;
    }
  }

  #fail(detector: Detector, event: NormalizedEvent, error: unknown): void {
    const failure = this.failures.get(detector.id);
    if (failure) failure.count++;
    else {
      const message = error instanceof Error ? error.message : String(error);
      this.failures.set(detector.id, { count: 1, firstError: message, firstEventId: event.id });
    }
  }
}

/** The newest event time of a batch, or `newest` when that is later. */
function newestOf(events: readonly NormalizedEvent[], newest: number): number {
  let max = newest;
  for (let e = 0; e < events.length; e++) max = Math.max(max, (events[e] as NormalizedEvent).time);
  return max;
}

/** Whether the store returned a value for any of these keys (of the detector `namespace`). */
function anyRecalled(
  namespace: string,
  keys: readonly string[] | undefined,
  memory: ReadonlyMap<string, MemoryEntry>,
): boolean {
  if (keys === undefined || memory.size === 0) return false;
  for (let k = 0; k < keys.length; k++) {
    if (memory.has(namespacedKey(namespace, keys[k] as string))) return true;
  }
  return false;
}

/**
 * Sorts a list the port returned into view order and, unless two adjacent entries are the same event,
 * marks it for the binary-search window paths. The port keeps one entry per key and event id, so a
 * sorted list with no adjacent repeat has none at all.
 */
function sortForViews(list: CounterEntry[]): void {
  list.sort(compareEntries);
  for (let i = 1; i < list.length; i++) {
    if ((list[i - 1] as CounterEntry).eventId === (list[i] as CounterEntry).eventId) return;
  }
  markSorted(list);
}
