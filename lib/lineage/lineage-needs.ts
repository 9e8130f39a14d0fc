import type { EventNeed } from '../engine/detector.ts';
import { ASSUMPTION_EVENTS } from './assumption.ts';
import { CLOUDFORMATION, STACK_OPERATION_EVENTS } from './stack-operation.ts';

/**
 * The records lineage is built from, delivered for every detector that reads lineage: the assumptions
 * that create sessions (read-only: on EventBridge they need a rule in the state
 * `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`) and the stack operations that start a service role's
 * writes.
 */
export const LINEAGE_NEEDS: readonly EventNeed[] = [
  // An AWS service's own assumptions are not linked (lib/lineage/lineage-resolver.ts): not forwarded.
  { source: 'sts.amazonaws.com', names: ASSUMPTION_EVENTS, readOnly: true, notByAwsService: true },
  { source: CLOUDFORMATION, names: STACK_OPERATION_EVENTS },
];
