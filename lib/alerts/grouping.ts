import type { PendingDelivery } from './outbox.ts';
import { MAX_GROUP } from './slack-message.ts';

/**
 * Folds a burst into one Slack message: deliveries for one principal whose findings fall within a minute
 * of the group's first become one group (at most MAX_GROUP, so the message keeps naming each finding
 * id within Slack's limits). Groups come out in order of their first finding's time.
 */

export const GROUP_WINDOW_MS = 60_000;

export function groupByPrincipal<T extends PendingDelivery>(
  deliveries: readonly T[],
  windowMs = GROUP_WINDOW_MS,
  max = MAX_GROUP,
): T[][] {
  const timeOf = (d: T) => {
    const time = Date.parse(d.finding.time);
    return Number.isFinite(time) ? time : 0;
  };
  const sorted = [...deliveries].sort(
    (a, b) => timeOf(a) - timeOf(b) || a.findingId.localeCompare(b.findingId),
  );
  const groups: T[][] = [];
  const open = new Map<string, { start: number; members: T[] }>();
  for (const delivery of sorted) {
    const time = timeOf(delivery);
    const current = open.get(delivery.finding.principal);
    if (current && time - current.start <= windowMs && current.members.length < max) {
      current.members.push(delivery);
      continue;
    }
    const members = [delivery];
    groups.push(members);
    open.set(delivery.finding.principal, { start: time, members });
  }
  return groups;
}
