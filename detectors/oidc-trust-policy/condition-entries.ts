import { isRecord } from '../../lib/events/record-fields.ts';
import { policyStrings } from './policy-document.ts';

/** One condition key under one operator of a statement's `Condition` block. */
export interface ConditionEntry {
  /** As written, e.g. `ForAllValues:StringLike`. */
  operator: string;
  /** Lower case, without `ForAnyValue:`/`ForAllValues:` and `IfExists`. */
  base: string;
  forAllValues: boolean;
  /** Lower case: IAM condition keys are case-insensitive. */
  key: string;
  values: string[];
}

/** The entries of a `Condition` block, flattened; anything malformed is skipped. */
export function conditionEntries(condition: unknown): ConditionEntry[] {
  if (!isRecord(condition)) return [];
  const entries: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries(condition)) {
    if (!isRecord(block)) continue;
    const lower = operator.toLowerCase();
    const colon = lower.indexOf(':');
    const qualifier = colon < 0 ? '' : lower.slice(0, colon);
    const base = (colon < 0 ? lower : lower.slice(colon + 1)).replace(/ifexists$/, '');
    for (const [key, value] of Object.entries(block)) {
      entries.push({
        operator,
        base,
        forAllValues: qualifier === 'forallvalues',
        key: key.toLowerCase(),
        values: policyStrings(value),
      });
    }
  }
  return entries;
}
