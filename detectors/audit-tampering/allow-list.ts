import * as z from 'zod';
import { compileGlob, type Glob } from '../../lib/config/glob.ts';
import type { NormalizedEvent } from '../../lib/events/normalized-event.ts';

/** The `allow` parameter: expected changes, by principal and action globs. */
export const allowList = z
  .array(
    z
      .strictObject({ principal: z.string().min(1).optional(), action: z.string().min(1).optional() })
      .refine((entry) => entry.principal || entry.action, 'an allow entry needs a principal or an action'),
  )
  .default([])
  .meta({
    description:
      'Expected changes: globs over the principal ARN and the action (e.g. cloudtrail:UpdateTrail).',
  });

export type AllowEntry = z.infer<typeof allowList>[number];

const single = new Map<string, Glob>();
function globOf(pattern: string): Glob {
  let glob = single.get(pattern);
  if (!glob) {
    glob = compileGlob(pattern);
    single.set(pattern, glob);
  }
  return glob;
}

/** True when an entry expects this call: its principal glob (if any) and its action glob (if any) match. */
export function isAllowed(allow: readonly AllowEntry[], event: NormalizedEvent): boolean {
  const { actor } = event;
  const principals = [actor.arn, actor.role?.canonicalArn, actor.sessionArn, actor.key];
  return allow.some(
    (entry) =>
      (!entry.principal ||
        principals.some((p) => p !== undefined && globOf(entry.principal ?? '').matches(p))) &&
      (!entry.action || globOf(entry.action).matches(event.action)),
  );
}
