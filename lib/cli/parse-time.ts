import { parseDuration } from '../config/duration.ts';

/**
 * Reads a `--since`/`--until` value: an ISO date or time (`2026-11-01`, `2026-11-01T12:00:00Z`), or a
 * duration meaning "that long before now" (`7d`, `90m`). Undefined when the text is neither.
 */
export function parseTimeArgument(text: string, now: number): number | undefined {
  const duration = parseDuration(text);
  if (duration !== undefined) return now - duration;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  return Number.isNaN(time) ? undefined : time;
}
