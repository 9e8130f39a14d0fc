import type { Context, EventBridgeEvent } from 'aws-lambda';
import { judge } from '../lib/runtime/judge.ts';
import { defaultRuntime, type RuntimeProvider } from '../lib/runtime/runtime.ts';

/** The event was delivered but could not be judged: failing sends it on to the on-failure destination. */
export class EventNotJudgedError extends Error {
  override name = 'EventNotJudgedError';
}

/**
 * One EventBridge event from a trailguard rule (Lambda invokes it asynchronously). A failure is thrown:
 * Lambda retries twice, then the event goes to the function's on-failure destination.
 */
export function createHandler(runtime: RuntimeProvider) {
  return async (event: EventBridgeEvent<string, unknown>, context?: Context): Promise<void> => {
    const built = await runtime();
    const { logger } = built;
    if (context) logger.addContext(context);
    logger.appendKeys({ envelopeId: event.id });
    try {
      const result = await judge(built, [{ id: event.id, event }]);
      if (result.failed.length > 0) throw new EventNotJudgedError(`event ${event.id} was not judged`);
    } finally {
      logger.removeKeys(['envelopeId']);
    }
  };
}

export const handler = createHandler(defaultRuntime());
