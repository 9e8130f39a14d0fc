import type { ResolvedConfig } from '../config/resolved-config.ts';
import type { Detector } from '../engine/detector.ts';
import { combinePatterns, type EventPattern, patternOf, patternSize } from './event-patterns.ts';
import { type EventSelector, enabledNeeds, errorKey, selectorsFor } from './event-selectors.ts';

/** EventBridge's default limit on an event pattern (adjustable, but every account has at least this). */
export const MAX_PATTERN_CHARS = 2048;

/**
 * The rule state that admits read-only management events (Describe/Get/List…, AssumeRole*): a rule left
 * `ENABLED` never sees them, failed ones included.
 */
export const READ_ONLY_RULE_STATE = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

/** One EventBridge rule trailguard needs. */
export interface RulePlan {
  /** True when the rule must be in `READ_ONLY_RULE_STATE`; false for plain `ENABLED`. */
  readOnly: boolean;
  pattern: EventPattern;
  /** The detectors whose needs the rule serves, sorted. */
  detectors: string[];
}

interface Branch {
  readOnly: boolean;
  selectors: EventSelector[];
  pattern: EventPattern;
}

function branchOf(readOnly: boolean, selectors: EventSelector[]): Branch {
  return { readOnly, selectors, pattern: patternOf(selectors) };
}

/** Selectors with the same names, errors and read-only flag share one branch: only `eventSource` differs. */
function branchesOf(selectors: readonly EventSelector[]): Branch[] {
  const groups = new Map<string, EventSelector[]>();
  for (const s of selectors) {
    const names = s.names === undefined ? null : [...s.names].sort();
    const key = JSON.stringify([s.readOnly, s.source === '*', names, errorKey(s.errors), s.notByAwsService]);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.values()].map((group) => branchOf((group[0] as EventSelector).readOnly, group));
}

/** Halves a branch that is too big on its own: by event names, else by sources. */
function split(branch: Branch, limit: number): Branch[] {
  if (patternSize(branch.pattern) <= limit) return [branch];
  const { selectors, readOnly } = branch;
  const [first] = selectors;
  const names = first?.names === undefined ? [] : [...first.names].sort();
  let halves: EventSelector[][];
  if (names.length > 1) {
    const cut = Math.ceil(names.length / 2);
    halves = [names.slice(0, cut), names.slice(cut)].map((part) =>
      selectors.map((s) => ({ ...s, names: new Set(part) })),
    );
  } else if (selectors.length > 1) {
    const cut = Math.ceil(selectors.length / 2);
    halves = [selectors.slice(0, cut), selectors.slice(cut)];
  } else {
    throw new Error(`one need's event pattern is over ${limit} characters and cannot be split`);
  }
  return halves.flatMap((part) => split(branchOf(readOnly, part), limit));
}

/** First-fit decreasing: each branch goes into the first rule it still fits in. */
function pack(branches: readonly Branch[], limit: number): Branch[][] {
  const bins: Branch[][] = [];
  const bySize = [...branches].sort((a, b) => patternSize(b.pattern) - patternSize(a.pattern));
  for (const branch of bySize) {
    const bin = bins.find(
      (candidate) => patternSize(combinePatterns([...candidate, branch].map((b) => b.pattern))) <= limit,
    );
    if (bin) bin.push(branch);
    else bins.push([branch]);
  }
  return bins;
}

/**
 * The EventBridge rules that deliver what the enabled detectors need, precisely (by source, event name
 * and error code; detail type alone only for `*` needs) and in as few rules as fit: one group per rule
 * state, each split into rules whose pattern stays within `maxPatternChars`. Rules that need read-only
 * events come first. The same plan serves the central bus and every forwarder.
 */
export function planRules(
  detectors: readonly Detector[],
  config?: ResolvedConfig,
  maxPatternChars = MAX_PATTERN_CHARS,
): RulePlan[] {
  const branches = branchesOf(selectorsFor(enabledNeeds(detectors, config))).flatMap((b) =>
    split(b, maxPatternChars),
  );
  const plans: RulePlan[] = [];
  for (const readOnly of [true, false]) {
    const inState = branches.filter((b) => b.readOnly === readOnly);
    for (const bin of pack(inState, maxPatternChars)) {
      const ids = new Set(bin.flatMap((b) => b.selectors.flatMap((s) => [...s.detectors])));
      plans.push({
        readOnly,
        pattern: combinePatterns(bin.map((b) => b.pattern)),
        detectors: [...ids].sort(),
      });
    }
  }
  return plans;
}
