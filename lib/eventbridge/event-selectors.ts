import type { ResolvedConfig } from '../config/resolved-config.ts';
import type { Detector, EventNeed } from '../engine/detector.ts';
import { isAuthorizationFailure } from '../identity/denial.ts';
import { LINEAGE_NEEDS } from '../lineage/lineage-needs.ts';

/** Which failed calls a selector keeps: every call, authorization failures, or these exact codes. */
export type ErrorFilter =
  | { kind: 'any' }
  | { kind: 'denied' }
  | { kind: 'codes'; codes: ReadonlySet<string> };

/**
 * One set of CloudTrail events the rules must deliver: the detectors' needs after merging and after
 * dropping every need another one already covers.
 */
export interface EventSelector {
  /** `eventSource`, or `*` for every source. */
  source: string;
  /** Exact event names; undefined for every name. */
  names?: ReadonlySet<string>;
  errors: ErrorFilter;
  /** True when read-only management events are wanted too (the rule state must admit them). */
  readOnly: boolean;
  /** True when calls AWS services make on their own behalf are not wanted (`EventNeed.notByAwsService`). */
  notByAwsService: boolean;
  /** The detectors this selector serves (its own needs and those it covers). */
  detectors: Set<string>;
}

const ANY: ErrorFilter = { kind: 'any' };

function errorFilterOf(need: EventNeed): ErrorFilter {
  if (need.errorCodes !== undefined) {
    // Both given: codes that are also authorization failures (the need's two conditions, ANDed).
    const codes = need.deniedOnly ? need.errorCodes.filter(isAuthorizationFailure) : need.errorCodes;
    return { kind: 'codes', codes: new Set(codes) };
  }
  return need.deniedOnly ? { kind: 'denied' } : ANY;
}

/** A stable key of an error filter: equal keys select the same failed calls. */
export function errorKey(filter: ErrorFilter): string {
  return filter.kind === 'codes' ? `codes:${[...filter.codes].sort().join(',')}` : filter.kind;
}

function errorsCover(a: ErrorFilter, b: ErrorFilter): boolean {
  if (a.kind === 'any') return true;
  if (b.kind === 'any') return false;
  if (a.kind === 'denied') return b.kind === 'denied' || [...b.codes].every(isAuthorizationFailure);
  return b.kind === 'codes' && [...b.codes].every((code) => a.codes.has(code));
}

function namesCover(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): boolean {
  if (a === undefined) return true;
  return b !== undefined && [...b].every((name) => a.has(name));
}

/** True when every event `b` selects is also selected by `a` (and reaches a rule in a state that admits it). */
export function covers(a: EventSelector, b: EventSelector): boolean {
  return (
    (a.readOnly || !b.readOnly) &&
    (!a.notByAwsService || b.notByAwsService) &&
    (a.source === '*' || a.source === b.source) &&
    namesCover(a.names, b.names) &&
    errorsCover(a.errors, b.errors)
  );
}

/**
 * The needs of the detectors the config leaves enabled, each tagged with its detector; a detector that
 * reads lineage also needs the records lineage is built from.
 */
export function enabledNeeds(
  detectors: readonly Detector[],
  config?: ResolvedConfig,
): { detector: string; need: EventNeed }[] {
  return detectors
    .filter((d) => config?.detectors[d.id]?.enabled !== false)
    .flatMap((d) =>
      [...d.needs, ...(d.usesLineage ? LINEAGE_NEEDS : [])].map((need) => ({ detector: d.id, need })),
    );
}

/**
 * Turns needs into the fewest selectors that deliver the same events: needs on one source with the same
 * error filter and read-only flag merge their names, and a need another covers (a `*` need covers every
 * narrower one with no more read-only events) is dropped, its detectors credited to the one covering it.
 */
export function selectorsFor(needs: readonly { detector: string; need: EventNeed }[]): EventSelector[] {
  const merged = new Map<string, EventSelector>();
  for (const { detector, need } of needs) {
    const errors = errorFilterOf(need);
    // An empty list selects nothing, and EventBridge refuses an empty array in a pattern.
    if (need.names?.length === 0 || (errors.kind === 'codes' && errors.codes.size === 0)) continue;
    const readOnly = need.readOnly === true;
    const notByAwsService = need.notByAwsService === true;
    const key = `${need.source}\n${errorKey(errors)}\n${readOnly}\n${notByAwsService}`;
    const known = merged.get(key);
    if (!known) {
      const names = need.names === undefined ? undefined : new Set(need.names);
      merged.set(key, {
        source: need.source,
        names,
        errors,
        readOnly,
        notByAwsService,
        detectors: new Set([detector]),
      });
      continue;
    }
    known.detectors.add(detector);
    if (known.names === undefined || need.names === undefined) known.names = undefined;
    else known.names = new Set([...known.names, ...need.names]);
  }
  const list = [...merged.values()];
  // A selector goes when another covers it; of two that cover each other (the same events), the first stays.
  const redundant = (s: EventSelector, i: number) =>
    list.some((t, j) => j !== i && covers(t, s) && (!covers(s, t) || j < i));
  const kept = list.filter((s, i) => !redundant(s, i));
  // Covering is transitive, so whatever was dropped is covered by something kept.
  for (const selector of list) {
    if (kept.includes(selector)) continue;
    const coverer = kept.find((k) => covers(k, selector)) as EventSelector;
    for (const id of selector.detectors) coverer.detectors.add(id);
  }
  return kept;
}
