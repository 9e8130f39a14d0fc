import { createHash } from 'node:crypto';

/**
 * Stable finding ids: the same finding from the same events always gets the same id, so a replay, a
 * redelivered EventBridge event and a Slack message can all be matched up. The parts are joined with a
 * separator that cannot occur in them (NUL) before hashing.
 */
export function findingId(...parts: readonly string[]): string {
  return `tg-${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 20)}`;
}
