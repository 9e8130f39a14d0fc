import type { Finding } from '../engine/finding.ts';

/**
 * What an alert builds into URLs and shell commands from a finding. Event ids, regions, key ids and ARNs
 * come from CloudTrail records, which whoever holds the credentials shapes in part (a forged record in a
 * replayed file, an odd region string), so each is checked against a strict character set before it goes
 * into a link or a command; anything else is left out rather than escaped.
 */

/** CloudTrail event ids are UUIDs; allow any short run of letters, digits and dashes. */
const EVENT_ID = /^[A-Za-z0-9-]{1,64}$/;
/** Commercial-partition regions (us-east-1, ap-southeast-3, il-central-1); others have other console hosts. */
const REGION = /^[a-z]{2}-[a-z]+-\d{1,2}$/;
const ACCESS_KEY_ID = /^(AKIA|ASIA)[A-Z0-9]{12,124}$/;
/** IAM/STS ARNs: IAM names are `[\w+=,.@-]`, paths add `/`. */
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[A-Za-z0-9+=,.@_/-]{1,512}$/;
/** A source argument that needs no shell quoting. */
const SHELL_SAFE = /^[A-Za-z0-9_./:@%+=,-]+$/;

/** Event ids linked per message; the rest are counted. */
export const MAX_EVENT_LINKS = 5;
/** How far before the finding the trace command starts reading. */
const TRACE_LEAD_MS = 3_600_000;

export function isSafeEventId(id: string): boolean {
  return EVENT_ID.test(id);
}

export function isSafeRegion(region: string | undefined): region is string {
  return region !== undefined && REGION.test(region) && !region.startsWith('cn-');
}

/** The CloudTrail console's event-history page for one event, or undefined when either part is unsafe. */
export function cloudTrailEventUrl(region: string | undefined, eventId: string): string | undefined {
  if (!isSafeRegion(region) || !isSafeEventId(eventId)) return undefined;
  return `https://${region}.console.aws.amazon.com/cloudtrail/home?region=${region}#/events/${eventId}`;
}

/** Links for the first safe event ids, and how many ids got no link (cut, or unsafe). */
export function eventLinks(finding: Finding): { links: { id: string; url: string }[]; unlinked: number } {
  const links: { id: string; url: string }[] = [];
  for (const id of finding.eventIds) {
    if (links.length >= MAX_EVENT_LINKS) break;
    const url = cloudTrailEventUrl(finding.region, id);
    if (url) links.push({ id, url });
  }
  return { links, unlinked: finding.eventIds.length - links.length };
}

function stringsAt(details: Record<string, unknown>, ...names: string[]): string[] {
  const found: string[] = [];
  for (const name of names) {
    const value = details[name];
    if (typeof value === 'string') found.push(value);
    if (Array.isArray(value)) {
      // `accessKeys: [{ value, count }]` on windowed findings.
      for (const item of value) {
        const inner = (item as { value?: unknown } | null)?.value;
        if (typeof inner === 'string') found.push(inner);
      }
    }
  }
  return found;
}

/** The access key ids a finding names (issued, signing, or the windowed list), valid ones only, at most 3. */
export function accessKeyIds(finding: Finding): string[] {
  const keys = stringsAt(finding.details ?? {}, 'issuedAccessKeyId', 'accessKeyId', 'accessKeys');
  return [...new Set(keys.filter((key) => ACCESS_KEY_ID.test(key)))].slice(0, 3);
}

function shellWord(word: string): string {
  return SHELL_SAFE.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The `trailguard query` command that traces the finding: the session(s) of its access keys when it names
 * any, else every call of its principal; undefined when neither is safe to print. `sources` are the config's
 * `alerts.traceSource` or the paths detect read (trusted: the operator's own), `SOURCE` when unknown.
 */
export function traceCommand(finding: Finding, sources: readonly string[] | undefined): string | undefined {
  const from = Date.parse(finding.firstSeen ?? finding.time);
  const since = Number.isFinite(from) ? new Date(from - TRACE_LEAD_MS).toISOString() : undefined;
  const sinceArgs = since ? ['--since', since] : [];
  const sourceArgs = sources && sources.length > 0 ? sources.map(shellWord) : ['SOURCE'];
  const keys = accessKeyIds(finding);
  if (keys.length > 0) {
    const keyArgs = keys.flatMap((key) => ['--access-key-id', key]);
    return ['trailguard', 'query', 'session', ...keyArgs, ...sinceArgs, ...sourceArgs].join(' ');
  }
  if (PRINCIPAL_ARN.test(finding.principal)) {
    return ['trailguard', 'query', 'principal', finding.principal, ...sinceArgs, ...sourceArgs].join(' ');
  }
  return undefined;
}
