import type * as z from 'zod';
import type { NormalizedEvent } from '../events/normalized-event.ts';
import type { Inventory } from '../inventory/inventory.ts';
import type { CounterEntry } from '../state/state-port.ts';
import type { FindingDraft, Severity } from './finding.ts';

/**
 * The CloudTrail events a detector needs. The engine uses it to skip detectors cheaply; infra turns the
 * same declaration into EventBridge patterns, so it is the one source of truth for both.
 */
export interface EventNeed {
  /** `eventSource`, e.g. `iam.amazonaws.com`; `*` for every source. */
  source: string;
  /** Exact event names; omitted means every name of the source. */
  names?: readonly string[];
  /**
   * True when the detector needs read-only events (Describe/Get/List…): on EventBridge those only reach
   * rules in the state `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`.
   */
  readOnly?: boolean;
  /** Only failed calls with one of these error codes. */
  errorCodes?: readonly string[];
  /**
   * Only calls not made by an AWS service on its own behalf (`userIdentity.type` other than `AWSService`):
   * a delivery filter, so EventBridge does not forward, say, every Lambda credential vending for a detector
   * that ignores it. The engine does not route by it; the detector must ignore such calls itself.
   */
  notByAwsService?: boolean;
  /**
   * Only authorization failures, as `lib/identity/denial.ts` classifies them (its exact codes plus the
   * `AccessDenied…` / `…UnauthorizedOperation` patterns, which EventBridge can match as prefix/suffix).
   */
  deniedOnly?: boolean;
}

/** A detector's own parameters: a zod object whose defaults make any config valid. */
export type ParamsSchema = z.ZodObject;

/** What every detector carries besides its logic. */
export interface DetectorMeta<S extends ParamsSchema> {
  /** Kebab-case; equal to the file name. */
  id: string;
  title: string;
  description: string;
  /** The highest severity it raises by default (config `severity` replaces every level). */
  severity: Severity;
  /** What on-call should do now, in a few numbered steps. */
  runbook: string;
  needs: readonly EventNeed[];
  /** The detector's own parameters with their defaults; merged into `detectors.<id>` in the config schema. */
  params: S;
  /**
   * True when the detector reads `event.lineage`: the engine then resolves lineage (lib/lineage), and the
   * rule planner forwards the `AssumeRole*` and stack-operation records lineage is built from.
   */
  usesLineage?: boolean;
  /**
   * Which of the events routed to it the detector reads the lineage of (default: all of them). Lineage
   * costs a state lookup per distinct session key: keep it to the events whose verdict uses it.
   */
  readsLineage?(event: NormalizedEvent, context: DetectorContext<S>): boolean;
}

/** Settings every detector takes from `detectors.<id>` besides its own parameters. */
export interface DetectorSettings {
  enabled: boolean;
  /** Replaces every severity level of the detector. */
  severity?: Severity;
  /** How long repeats of a finding fold into it (ms). */
  cooldown?: number;
}

/**
 * What a detector is handed along with each event: the inventory and its own parameters, nothing else of
 * the config. No clock either: a detector judges by event time (`event.time`), never by wall time.
 */
export interface DetectorContext<S extends ParamsSchema = ParamsSchema> {
  inventory: Inventory;
  /** The detector's settings (`enabled`, `severity`, `cooldown`) merged with its own parameters. */
  params: z.output<S> & { cooldown?: number };
}

/** A detector that judges each event on its own. */
export interface EventDetector<S extends ParamsSchema = ParamsSchema> extends DetectorMeta<S> {
  kind: 'event';
  evaluate(event: NormalizedEvent, context: DetectorContext<S>): FindingDraft | undefined;
  /**
   * True when this event's verdict may change once its lineage is known. Such an event, judged before the
   * assumption (or stack operation) that created its session arrived, is kept by the engine and evaluated
   * again when it does, within `engine.lateness`. Keep it narrow: every event it admits is stored.
   */
  reconsiderWhenLinked?(event: NormalizedEvent, context: DetectorContext<S>): boolean;
}

/** What an event contributes to state; the engine writes it, in one round trip per batch. */
export interface Observation {
  /** Counter entries to add under these keys (the engine namespaces keys by detector). */
  count?: readonly { key: string; facets?: Readonly<Record<string, string>> }[];
  /** Values to remember for `ttlMs` of event time (e.g. who an access key was issued to). */
  remember?: readonly { key: string; value: string; ttlMs: number }[];
  /** Keys whose remembered values `judge` will ask for. */
  recall?: readonly string[];
  /**
   * True when `judge` cannot raise anything unless one of the `recall` keys holds a value (correlation:
   * "this key was issued to a runner"). The engine then skips judging the event when none does, which is
   * nearly every event such a detector observes.
   */
  onlyIfRecalled?: boolean;
}

/** What a stateful detector sees when it judges an event: state as of that event's time. */
export interface StateView {
  /**
   * Counter entries under `key` from `lookback` before the event up to and including its time, in time
   * order. Includes this event's own entry.
   */
  entries(key: string): readonly CounterEntry[];
  /** A remembered value that has not expired at the event's time. */
  recalled(key: string): string | undefined;
}

/**
 * A detector that needs memory across events (windows, baselines, correlation). It stays pure: `observe`
 * says what an event adds to state, `judge` decides from the state the engine reads back. The engine does
 * the I/O, batching, event-time ordering and lateness.
 */
export interface StatefulDetector<S extends ParamsSchema = ParamsSchema> extends DetectorMeta<S> {
  kind: 'stateful';
  /**
   * How far back `judge` looks (ms): the longest window (per-pipeline overrides included), times the
   * baseline history where there is one. Also how long the engine keeps counter entries.
   */
  lookback(context: DetectorContext<S>): number;
  observe(event: NormalizedEvent, context: DetectorContext<S>): Observation | undefined;
  /**
   * The key `observe` will most likely ask to recall for this event, known before its lineage is: the
   * engine fetches it in the same round trip as the lineage lookup instead of a second one after it.
   * Only a hint: a recall it did not prefetch is still made.
   */
  prefetch?(event: NormalizedEvent, context: DetectorContext<S>): string | undefined;
  judge(event: NormalizedEvent, state: StateView, context: DetectorContext<S>): FindingDraft | undefined;
}

export type Detector = EventDetector | StatefulDetector;

/** Identity helper: gives a detector definition its types without ceremony. */
export function defineDetector<S extends ParamsSchema>(detector: EventDetector<S>): EventDetector<S>;
export function defineDetector<S extends ParamsSchema>(detector: StatefulDetector<S>): StatefulDetector<S>;
export function defineDetector<S extends ParamsSchema>(
  detector: EventDetector<S> | StatefulDetector<S>,
): EventDetector<S> | StatefulDetector<S> {
  return detector;
}
