import { buildDigest, digestWindow } from '../alerts/digest.ts';
import { digestMessage } from '../alerts/digest-render.ts';
import { SlackSender } from '../alerts/slack-sender.ts';
import { deniedQuery } from '../queries/denied-query.ts';
import { openSource } from '../queries/open-source.ts';
import type { Runtime } from './runtime.ts';

/** The digest covers the last week against the week before, like `trailguard digest` by default. */
export const DIGEST_PERIOD_MS = 7 * 86_400_000;
export const DIGEST_TOP = 10;
/** Logs Insights budget: well inside the scheduled function's 15-minute limit. */
export const DIGEST_TIMEOUT_MS = 10 * 60_000;

export type DigestOutcome = 'posted' | 'no-log-group' | 'no-channel' | 'no-token';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `trailguard digest --notify` on the schedule: the AccessDenied trend from the trail's CloudWatch log
 * group, posted to `alerts.digest.channel` (else `alerts.slack.channel`). Returns what stopped it, if
 * anything; a failing query or post throws, so the invocation is reported as failed.
 */
export async function postDigest(runtime: Runtime): Promise<DigestOutcome> {
  const { config, logger } = runtime;
  if (runtime.digestLogGroup === undefined) return 'no-log-group';
  const channel = config.alerts.digest?.channel ?? config.alerts.slack?.channel;
  if (channel === undefined) {
    logger.warn('digest skipped: set alerts.digest.channel or alerts.slack.channel');
    return 'no-channel';
  }
  const slack = await runtime.slack();
  if (slack === undefined) return 'no-token';
  const now = runtime.now();
  const window = digestWindow(now, DIGEST_PERIOD_MS);
  const opened = await openSource({
    spec: { kind: 'logs', logGroups: [runtime.digestLogGroup] },
    since: window.end - 2 * DIGEST_PERIOD_MS,
    until: window.end,
    now,
    timeoutMs: DIGEST_TIMEOUT_MS,
    client: runtime.logs,
  });
  const result = await deniedQuery.run({ binMs: window.binMs }, { config }, opened.source);
  const digest = buildDigest(result.rows, window, DIGEST_TOP);
  await new SlackSender(slack, { now: runtime.now, sleep }).post(channel, digestMessage(digest));
  logger.info('digest posted', {
    channel,
    denials: digest.current,
    previous: digest.previous,
    principals: digest.principalCount,
    notes: result.notes,
  });
  return 'posted';
}
