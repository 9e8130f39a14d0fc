import type { Context } from 'aws-lambda';
import { logReport } from '../lib/runtime/judge.ts';
import { postDigest } from '../lib/runtime/post-digest.ts';
import { defaultRuntime, type RuntimeProvider } from '../lib/runtime/runtime.ts';

/** What the schedule rules send: `flush` every few minutes, `digest` once a week. */
export interface ScheduledTask {
  task: 'flush' | 'digest';
}

/**
 * The scheduled work: `flush` sends alert deliveries left pending (Slack down, rate limits, a token not
 * filled in yet); `digest` posts the weekly AccessDenied trend when a trail log group was deployed.
 */
export function createHandler(runtime: RuntimeProvider) {
  return async (event: ScheduledTask, context?: Context): Promise<void> => {
    const built = await runtime();
    if (context) built.logger.addContext(context);
    if (event.task === 'digest') {
      const outcome = await postDigest(built);
      if (outcome !== 'posted') built.logger.info('digest not posted', { reason: outcome });
      return;
    }
    const alerting = await built.alerting();
    logReport(built, await alerting.flush());
  };
}

export const handler = createHandler(defaultRuntime());
