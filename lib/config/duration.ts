import * as z from 'zod';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+)(s|m|h|d)$/;

/** Parses `30s`, `5m`, `1h`, `1d` into milliseconds; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2] as keyof typeof UNIT_MS;
  return amount * UNIT_MS[unit];
}

/** Formats milliseconds as the largest whole unit (`90m` stays `90m`, `3600000` becomes `1h`). */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

/** A zod schema for a duration string; parses to milliseconds. */
export const durationSchema = z
  .string()
  .regex(DURATION, 'a duration such as 30s, 5m, 1h or 1d')
  .refine((text) => (parseDuration(text) ?? 0) > 0, 'must be longer than zero')
  .transform((text) => parseDuration(text) as number)
  .meta({ description: 'A duration: a whole number followed by s, m, h or d (30s, 5m, 1h, 1d).' });
