import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ResolvedConfig } from '../lib/config/resolved-config.ts';
import type { Detector } from '../lib/engine/detector.ts';
import type { NormalizedEvent } from '../lib/events/normalized-event.ts';
import { DynamoDbState } from '../lib/state/dynamodb-state.ts';
import { stateReach, stateRetention } from '../lib/state/open-state.ts';

/** How long after its event time an event reaches the function: EventBridge takes seconds to minutes. */
export const DELIVERY_DELAY_MS = 30_000;

/** A state store judging a recorded trail as live delivery would, and the clock that makes it so. */
export interface LiveDeliveryState {
  state: DynamoDbState;
  /** Moves the store's clock to `DELIVERY_DELAY_MS` past the newest event of `batch`; returns it. */
  deliver(batch: readonly NormalizedEvent[]): number;
}

/**
 * For measuring what the handlers cost (`npm run bench`, infra/measure-state-cost.ts): the store's wall
 * clock follows the trail, so live events take the live window path as they would in Lambda. The
 * retention reaches to today, or DynamoDB (Local's) TTL sweeper would delete the items of a trail recorded
 * last week while the run reads them.
 */
export function liveDeliveryState(
  client: DynamoDBClient,
  table: string,
  detectors: readonly Detector[],
  config: ResolvedConfig,
  events: readonly NormalizedEvent[],
): LiveDeliveryState {
  const clock = { now: events[0]?.time ?? Date.now() };
  const state = new DynamoDbState({
    client,
    table,
    retentionMs: stateRetention(detectors, config) + Math.max(0, Date.now() - clock.now),
    reachMs: stateReach(detectors, config),
    now: () => clock.now,
  });
  const deliver = (batch: readonly NormalizedEvent[]) => {
    for (const event of batch) clock.now = Math.max(clock.now, event.time + DELIVERY_DELAY_MS);
    return clock.now;
  };
  return { state, deliver };
}
