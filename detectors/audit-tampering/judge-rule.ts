import { compileGlob, type Glob, matchesAny } from '../../lib/config/glob.ts';
import type { Severity } from '../../lib/engine/finding.ts';
import type { NormalizedEvent } from '../../lib/events/normalized-event.ts';
import { resourceName } from './resource-name.ts';
import type { ListName, Rule } from './rules.ts';

// Params live as long as the config: compile each glob (list) once; config bounds the number of patterns.
const compiled = new WeakMap<readonly string[], Glob[]>();
function globs(patterns: readonly string[]): Glob[] {
  let list = compiled.get(patterns);
  if (!list) {
    list = patterns.map(compileGlob);
    compiled.set(patterns, list);
  }
  return list;
}

/** The severity a rule gives the call had it succeeded; undefined when it blinds nothing. */
export function judgeRule(
  rule: Rule,
  event: NormalizedEvent,
  lists: Record<ListName, readonly string[]>,
): Severity | undefined {
  if (typeof rule === 'string') return rule;
  if (typeof rule === 'function') return rule(event.requestParameters);
  const name = resourceName(event);
  return name !== undefined && matchesAny(globs(lists[rule.list]), name)
    ? judgeRule(rule.judge, event, lists)
    : undefined;
}
