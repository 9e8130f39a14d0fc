import type { Severity } from '../../lib/engine/finding.ts';
import type { NormalizedEvent } from '../../lib/events/normalized-event.ts';
import { compiledGlobs, matchesAny } from '../../lib/glob/glob.ts';
import { resourceName } from './resource-name.ts';
import type { ListName, Rule } from './rules.ts';

/** The severity a rule gives the call had it succeeded; undefined when it blinds nothing. */
export function judgeRule(
  rule: Rule,
  event: NormalizedEvent,
  lists: Record<ListName, readonly string[]>,
): Severity | undefined {
  if (typeof rule === 'string') return rule;
  if (typeof rule === 'function') return rule(event.requestParameters);
  const name = resourceName(event);
  return name !== undefined && matchesAny(compiledGlobs(lists[rule.list]), name)
    ? judgeRule(rule.judge, event, lists)
    : undefined;
}
