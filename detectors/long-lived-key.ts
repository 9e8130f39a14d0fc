import * as z from 'zod';
import { defineDetector } from '../lib/engine/detector.ts';
import { compileOnce } from '../lib/glob/compile-once.ts';
import { compileGlob } from '../lib/glob/glob.ts';

/**
 * Calls signed with a long-lived access key (`AKIA…`: an IAM user's or root's), once per key per UTC day.
 * The key prefix decides, not `userIdentity.type`: IAM users' console sessions carry `ASIA` session keys.
 *
 * Severity: medium; high for root (root access keys should not exist at all). A key whose user agent says
 * CI is reported at medium too, with `details.looksLikeCi`: a pipeline that never moved to OIDC.
 */

const DAY_MS = 86_400_000;

const allowEntrySchema = z
  .strictObject({
    principal: z.string().min(1).optional().meta({ description: 'Glob over the user ARN.' }),
    accessKeyId: z.string().min(1).optional().meta({ description: 'Glob over the access key id.' }),
    reason: z
      .string()
      .min(1)
      .meta({ description: 'Why this key may exist: shown nowhere else, so be specific.' }),
  })
  .refine((entry) => entry.principal !== undefined || entry.accessKeyId !== undefined, {
    message: 'an allow entry needs a principal or an accessKeyId: it would allow every key',
  });

type AllowEntry = z.output<typeof allowEntrySchema>;

// Params live as long as the config: compile each list once, not per event.
const allowList = compileOnce((entries: readonly AllowEntry[]) =>
  entries.map((entry) => ({
    principal: entry.principal === undefined ? undefined : compileGlob(entry.principal),
    accessKeyId: entry.accessKeyId === undefined ? undefined : compileGlob(entry.accessKeyId),
  })),
);
const lowered = compileOnce((markers: readonly string[]) => markers.map((marker) => marker.toLowerCase()));

/** `YYYY-MM-DD` of the UTC day an epoch-ms time falls in, and the end of that day. */
function utcDay(time: number): { date: string; end: number } {
  const start = Math.floor(time / DAY_MS) * DAY_MS;
  return { date: new Date(start).toISOString().slice(0, 10), end: start + DAY_MS };
}

export const longLivedKey = defineDetector({
  kind: 'event',
  id: 'long-lived-key',
  title: 'Long-lived access key used',
  description:
    'A call signed with a long-lived access key (AKIA…, an IAM user or root), once per key per UTC day; root keys are high, keys whose user agent says CI mean a pipeline still uses a stored key instead of OIDC. Console sessions and STS session keys (ASIA…) are not reported. Needs read-only events too.',
  severity: 'high',
  runbook: [
    '1. Check who holds the key and whether this use is theirs: `aws iam get-access-key-last-used --access-key-id <details.accessKeyId>`, details.sourceIp and details.userAgent (an unknown address or a scanner such as TruffleHog means it leaked: deactivate it now with `aws iam update-access-key --status Inactive`).',
    '2. List everything the key did: `trailguard query session --access-key-id <details.accessKeyId>`.',
    '3. details.looksLikeCi: move the pipeline to OIDC (configure-aws-credentials `role-to-assume`, GitLab `id_tokens`) with a role in `pipelines[]`, then delete the key and the CI secret holding it.',
    '4. Root key (high): delete it (`Security credentials` of the root user), make sure root has MFA, and use an IAM role for whatever used it.',
    '5. If the key is a sanctioned exception, add it to `detectors.long-lived-key.allow` with a reason, and rotate it on a schedule.',
  ].join('\n'),
  needs: [{ source: '*', readOnly: true }],
  params: z.object({
    allow: z.array(allowEntrySchema).default([]).meta({
      description:
        'Keys that may be used: `{ principal?: glob over the user ARN, accessKeyId?: glob, reason }`, at least one of principal/accessKeyId (both must match when both are given).',
    }),
    ciUserAgents: z
      .array(z.string().min(1))
      .default(['configure-aws-credentials', 'GitHubActions', 'gitlab-runner'])
      .meta({
        description:
          'User-agent substrings (case-insensitive) that mark a call as coming from a CI pipeline: set `details.looksLikeCi`.',
      }),
  }),
  evaluate(event, { params }) {
    const { credential, actor } = event;
    if (credential.kind !== 'long-lived' || credential.accessKeyId === undefined) return undefined;
    const keyId = credential.accessKeyId;
    const principal = actor.arn ?? actor.key;
    const allowed = allowList(params.allow).some(
      (entry) =>
        (entry.principal === undefined || entry.principal.matches(principal)) &&
        (entry.accessKeyId === undefined || entry.accessKeyId.matches(keyId)),
    );
    if (allowed) return undefined;
    const userAgent = event.userAgent?.toLowerCase();
    const looksLikeCi =
      userAgent !== undefined && lowered(params.ciUserAgents).some((marker) => userAgent.includes(marker));
    const root = actor.type === 'Root';
    const day = utcDay(event.time);
    const who = root ? `Root access key ${keyId}` : `Long-lived key ${keyId} of ${principal}`;
    const prefix = looksLikeCi ? 'A pipeline still uses a long-lived key: ' : '';
    return {
      severity: root ? 'high' : 'medium',
      summary: `${prefix}${who} called ${event.action} from ${event.sourceIp ?? 'an unknown address'} [${event.outcome}${event.errorCode ? ` ${event.errorCode}` : ''}]`,
      principal,
      key: `${keyId}|${day.date}`,
      cooldownMs: day.end - event.time,
      details: {
        accessKeyId: keyId,
        user: actor.arn,
        userType: actor.type,
        root,
        looksLikeCi,
        service: event.source,
        action: event.action,
        outcome: event.outcome,
        errorCode: event.errorCode,
        sourceIp: event.sourceIp,
        userAgent: event.userAgent,
        day: day.date,
      },
    };
  },
});
