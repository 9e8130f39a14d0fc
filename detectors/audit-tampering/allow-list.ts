import * as z from 'zod';
import type { NormalizedEvent } from '../../lib/events/normalized-event.ts';
import { compileOnce } from '../../lib/glob/compile-once.ts';
import { compileGlob } from '../../lib/glob/glob.ts';

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

// Params live as long as the config: compile each allow list once, not per event.
const compiledAllow = compileOnce((allow: readonly AllowEntry[]) =>
  allow.map((entry) => ({
    principal: entry.principal ? compileGlob(entry.principal) : undefined,
    action: entry.action ? compileGlob(entry.action) : undefined,
  })),
);

/** True when an entry expects this call: its principal glob (if any) and its action glob (if any) match. */
export function isAllowed(allow: readonly AllowEntry[], event: NormalizedEvent): boolean {
  const { actor } = event;
  const principals = [actor.arn, actor.role?.canonicalArn, actor.sessionArn, actor.key];
  return compiledAllow(allow).some(
    ({ principal, action }) =>
      (!principal || principals.some((p) => p !== undefined && principal.matches(p))) &&
      (!action || action.matches(event.action)),
  );
}
