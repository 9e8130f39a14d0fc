import * as z from 'zod';
import { durationSchema, formatDuration } from '../lib/config/duration.ts';
import { defineDetector } from '../lib/engine/detector.ts';
import {
  burstCooldown,
  entriesInWindow,
  facetText,
  median,
  priorWindowCounts,
  summarizeWindow,
  topFacetValues,
} from '../lib/engine/window-evidence.ts';
import type { Chain } from '../lib/events/chain.ts';
import type { NormalizedEvent } from '../lib/events/normalized-event.ts';
import { parseRoleArn } from '../lib/identity/arn.ts';
import { chainText, originKeyOf, principalKeyOf } from '../lib/lineage/chain-principals.ts';
import type { CounterEntry } from '../lib/state/state-port.ts';

/** Request fields that name what was asked for, most specific first (best effort, for the evidence). */
const RESOURCE_FIELDS = [
  ...['roleArn', 'roleName', 'userName', 'groupName', 'policyArn', 'instanceId', 'bucketName', 'key'],
  ...['secretId', 'functionName', 'keyId', 'name', 'tableName', 'repositoryName', 'stackName', 'trailName'],
];

/** IAM's denial message names the resource: `… is not authorized to perform: x:Y on resource: <arn> because …`. */
const ON_RESOURCE = ' on resource: ';

/** Callers that are AWS services acting on someone's behalf: their denials are the service's business. */
function byAwsService(event: NormalizedEvent): boolean {
  return event.viaAwsService || event.invokedBy !== undefined || event.actor.type === 'AWSService';
}

function resourceOf(event: NormalizedEvent): string | undefined {
  const request = event.requestParameters;
  if (request) {
    for (const field of RESOURCE_FIELDS) {
      const value = request[field];
      if (typeof value === 'string' && value.length > 0) return `${field}=${value}`;
    }
  }
  const message = event.errorMessage;
  const at = message?.indexOf(ON_RESOURCE) ?? -1;
  if (message === undefined || at < 0) return undefined;
  const start = at + ON_RESOURCE.length;
  const space = message.indexOf(' ', start);
  const resource = message.slice(start, space < 0 ? message.length : space);
  return resource.length > 0 ? resource : undefined;
}

/** The `sub` of a web-identity caller: its principal is the identity provider, shared by every subject. */
function subjectOf(event: NormalizedEvent): string | undefined {
  return event.actor.type === 'WebIdentityUser' ? (event.oidc?.subject ?? event.actor.userName) : undefined;
}

/**
 * The keys a denial counts under, each once: the signer's, and the origin of each chain of its lineage
 * (a pipeline role whose credentials went on through a chained role), so enumerating through a second
 * role adds to the first one's spike instead of starting a new count. The origin first: on a tie it is the
 * finding to raise (it names who holds the credentials).
 */
function keysOf(event: NormalizedEvent): { key: string; chain?: Chain }[] {
  const signer = principalKeyOf(event);
  const keys: { key: string; chain?: Chain }[] = [];
  const lineage = event.lineage ?? [];
  for (const chain of lineage) {
    const origin = originKeyOf(chain);
    if (origin !== undefined && origin !== signer && !keys.some((k) => k.key === origin))
      keys.push({ key: origin, chain });
  }
  keys.push({ key: signer });
  return keys;
}

function facetsOf(event: NormalizedEvent): Record<string, string> {
  const facets: Record<string, string> = { action: facetText(event.action) };
  if (event.errorCode) facets.errorCode = facetText(event.errorCode);
  const resource = resourceOf(event);
  if (resource) facets.resource = facetText(resource);
  const subject = subjectOf(event);
  if (subject) facets.subject = facetText(subject);
  if (event.credential.accessKeyId) facets.accessKeyId = facetText(event.credential.accessKeyId);
  return facets;
}

/** Adds what a chained denial's origin says: the chain (compact) and, for a token origin, its subject. */
function addChainFacets(facets: Record<string, string>, chain: Chain): void {
  facets.chain ??= facetText(chainText(chain), 300);
  if (facets.subject === undefined && chain.origin.subject !== undefined)
    facets.subject = facetText(chain.origin.subject);
}

export const accessDeniedSpike = defineDetector({
  kind: 'stateful',
  id: 'access-denied-spike',
  title: 'Burst of access-denied errors',
  description:
    'One principal was denied `threshold` or more times within `window` (and at least `factor` × its usual rate): a stolen credential enumerating what it may do, or a pipeline probing past its permissions. All sessions of a role count together, and denials of a session chained from another principal (AssumeRole with its credentials, any number of hops) count to that origin as well; calls made by AWS services on its behalf do not count. Needs read-only events (most enumeration is Get/List/Describe).',
  // High for every principal, pipeline roles included: a stolen pipeline credential enumerating is exactly
  // the attack this detector is for, and a pipeline that is merely too narrow is noisy every run, which the
  // baseline absorbs. Lower it per deployment with `severity` if needed.
  severity: 'high',
  runbook: [
    '1. Trace it: `trailguard query principal <principal> SOURCE --since <firstSeen>` lists its calls and denials per action; `trailguard query session --finding <id> SOURCE` (or `--access-key-id <details.accessKeys[0].value>`) follows one session; `trailguard query denied SOURCE --bin 5m` shows whether the principal is usually this noisy.',
    '2. Read details.actions and details.resources: Get/List/Describe across many services is enumeration; one call retried against one resource is usually a broken deploy.',
    '3. A pipeline role or OIDC subject (details.subjects): find the run at firstSeen and the commit it built; an unknown subject, or no run at that time, means stolen credentials. details.chains names the roles its credentials went on to: their sessions outlive a revocation of its own.',
    "4. Not explained by a known job: revoke the role's active sessions (or deactivate the access key) and rotate whatever the principal can read.",
    '5. A known misconfiguration: fix the permissions; until then suppress this principal for this detector with a reason and an expiry, rather than raising `threshold` for everyone.',
  ].join('\n'),
  needs: [{ source: '*', readOnly: true, deniedOnly: true }],
  params: z.object({
    window: durationSchema
      .prefault('5m')
      .meta({ description: 'Sliding window the denials are counted in (ending at each denial).' }),
    threshold: z.number().int().positive().default(20).meta({
      description: 'Fires when a principal has at least this many denials within the window.',
    }),
    factor: z.number().positive().default(3).meta({
      description:
        'The count must also reach factor × the median count of the previous baselineWindows windows, so an always-noisy principal does not page.',
    }),
    baselineWindows: z.number().int().min(0).max(288).default(12).meta({
      description: 'How many full windows before the current one make the baseline (0: threshold only).',
    }),
  }),
  lookback: ({ params }) => params.window * (params.baselineWindows + 1),
  usesLineage: true,
  readsLineage: (event) => event.outcome === 'denied' && !byAwsService(event),
  observe(event) {
    if (event.outcome !== 'denied' || byAwsService(event)) return undefined;
    const facets = facetsOf(event);
    const keys = keysOf(event);
    // One facets object for every key: the signer's entry says which chain the denial came through too.
    for (const { chain } of keys) if (chain !== undefined) addChainFacets(facets, chain);
    return { count: keys.map(({ key }) => ({ key, facets })) };
  },
  judge(event, state, { inventory, params }) {
    const end = { time: event.time, eventId: event.id };
    // One draft per event. Of the keys whose spike it reaches, report the one crossed most recently (the
    // smallest excess over its bar; the origin on a tie), so a key crossing after another still raises
    // its own finding; the older one's repeats fold into its cooldown anyway.
    let best:
      | { key: string; chained: boolean; window: CounterEntry[]; bar: number; baselineMedian: number }
      | undefined;
    for (const { key, chain } of keysOf(event)) {
      const entries = state.entries(key);
      const window = entriesInWindow(entries, end, params.window);
      if (window.length < params.threshold) continue;
      const baselineMedian = median(priorWindowCounts(entries, end, params.window, params.baselineWindows));
      const bar = Math.max(params.threshold, Math.ceil(params.factor * baselineMedian));
      if (window.length < bar) continue;
      if (best === undefined || window.length - bar < best.window.length - best.bar)
        best = { key, chained: chain !== undefined, window, bar, baselineMedian };
    }
    if (best === undefined) return undefined;
    const { key, window, bar, baselineMedian } = best;

    const summary = summarizeWindow(window);
    const actions = topFacetValues(window, 'action');
    const subjects = topFacetValues(window, 'subject');
    const chains = topFacetValues(window, 'chain', 3);
    // The signer's ARN as the record gave it for its own spike; the origin's key for a chained one.
    const principal = best.chained ? key : event.actor.key;
    const pipeline = inventory.findByRole(best.chained ? parseRoleArn(key) : event.actor.role);
    const who = pipeline
      ? `Pipeline ${pipeline.name}${pipeline.environment ? `/${pipeline.environment}` : ''} (${principal})`
      : principal;
    const top = actions[0] ? `, most often ${actions[0].value} (${actions[0].count})` : '';
    const through = chains[0] ? `, through ${chains[0].value}${chains.length > 1 ? ' and others' : ''}` : '';
    return {
      severity: 'high',
      summary: `${who} was denied ${summary.count} times in ${formatDuration(params.window)}${top}${through}`,
      principal,
      subject: subjectOf(event) ?? subjects[0]?.value,
      pipeline: pipeline?.name,
      environment: pipeline?.environment,
      key,
      cooldownMs: burstCooldown(params.window),
      count: summary.count,
      firstSeen: summary.firstSeen,
      lastSeen: summary.lastSeen,
      eventIds: summary.eventIds,
      details: {
        window: formatDuration(params.window),
        bar,
        threshold: params.threshold,
        baselineMedian,
        actorType: event.actor.type,
        actions,
        resources: topFacetValues(window, 'resource'),
        errorCodes: topFacetValues(window, 'errorCode'),
        accessKeys: topFacetValues(window, 'accessKeyId'),
        ...(subjects.length > 0 ? { subjects } : {}),
        // Denials of sessions chained from the principal (or that the signer's role was reached through).
        ...(chains.length > 0 ? { chains } : {}),
      },
    };
  },
});
