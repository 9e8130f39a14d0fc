import * as z from 'zod';
import { defineDetector, type Observation } from '../lib/engine/detector.ts';
import type { Chain, Hop } from '../lib/events/chain.ts';
import type { NormalizedEvent, OidcAssumption } from '../lib/events/normalized-event.ts';
import { numberValue } from '../lib/events/record-fields.ts';
import { parseRoleArn } from '../lib/identity/arn.ts';
import { ciProviderOf, configuredIssuers } from '../lib/identity/ci-issuer.ts';
import { networksOf, parseIp } from '../lib/identity/network.ts';
import type { Inventory, Pipeline } from '../lib/inventory/inventory.ts';
import { chainText } from '../lib/lineage/chain-principals.ts';

/**
 * Credentials `AssumeRoleWithWebIdentity` issued to a CI runner, used from somewhere else: the poisoned
 * action / dependency that posts `AWS_SESSION_TOKEN` to its author. The exchange is remembered under the
 * issued key for the credentials' lifetime; every later call signed with that key is compared with where
 * the runner was (the pipeline's `networks`, else the exchange's own address).
 *
 * A session chained from the runner's (`AssumeRole` with its key, any number of hops: the CDK deploy role,
 * a role in another account) is the same credential: its calls are judged the same way, by the lineage
 * the engine puts on each event. The chain names the runner's key (its first hop), so the exchange is
 * recalled under that key; a pipeline with `networks` needs no recall at all.
 *
 * Severity: high; critical when the role belongs to a production pipeline (its credentials deploy prod).
 */

const HOUR_MS = 3_600_000;
/** STS never issues web-identity sessions for longer than 12 hours. */
const MAX_LIFETIME_MS = 12 * HOUR_MS;
/**
 * How long an exchange is remembered after the runner's credentials expire, for the sessions chained from
 * them: a chained session lives at most an hour (STS caps role chaining) but can be chained again while it
 * lives ("role juggling"). Past this, a juggled chain is still judged by the pipeline's networks, not by
 * the exchange address.
 */
const CHAINED_GRACE_MS = MAX_LIFETIME_MS;
/** STS's cap on a session created by role chaining. */
const CHAINED_LIFETIME_MS = HOUR_MS;
/** Attacker-controlled text kept in state is bounded: a hostile subject must not bloat every item. */
const MAX_REMEMBERED_TEXT = 512;

/** What the exchange leaves in state under `issued:<keyId>`. */
interface Issuance {
  sourceIp?: string;
  userAgent?: string;
  roleArn?: string;
  pipeline?: string;
  subject?: string;
  issuedAt: number;
  expiresAt: number;
}

const clip = (text: string | undefined) => text?.slice(0, MAX_REMEMBERED_TEXT);
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** The CI system behind an assumption, counting issuers the inventory configures (GHES, self-managed GitLab). */
function isCiAssumption(oidc: OidcAssumption, inventory: Inventory): boolean {
  if (oidc.provider !== 'other') return true;
  return ciProviderOf(oidc.providerArn ?? oidc.issuer, configuredIssuers(inventory)) !== undefined;
}

/** How long the issued credentials live: the stated expiry, else the requested duration, else STS's 1h default. */
function lifetimeOf(event: NormalizedEvent, oidc: OidcAssumption): number {
  const fromExpiry = oidc.expiresAt === undefined ? Number.NaN : oidc.expiresAt - event.time;
  // numberValue, not Number(): the request is the caller's, and Number() of a deep array overflows the stack.
  const requested = (numberValue(event.requestParameters?.durationSeconds) ?? Number.NaN) * 1000;
  const lifetime = fromExpiry > 0 ? fromExpiry : requested > 0 ? requested : HOUR_MS;
  return Math.min(lifetime, MAX_LIFETIME_MS);
}

function parseIssuance(value: string | undefined): Issuance | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  const { issuedAt, expiresAt } = record;
  if (typeof issuedAt !== 'number' || typeof expiresAt !== 'number') return undefined;
  return {
    sourceIp: text(record.sourceIp),
    userAgent: text(record.userAgent),
    roleArn: text(record.roleArn),
    pipeline: text(record.pipeline),
    subject: text(record.subject),
    issuedAt,
    expiresAt,
  };
}

function pipelineOf(event: NormalizedEvent, issuance: Issuance, inventory: Inventory): Pipeline | undefined {
  return (
    inventory.findByRole(event.actor.role) ??
    (issuance.pipeline === undefined
      ? undefined
      : inventory.pipelines.find((pipeline) => pipeline.name === issuance.pipeline))
  );
}

// The same session keys sign call after call: one frozen observation per key (bounded) rather than an
// object, an array and a string per event.
const MAX_CACHED_KEYS = 10_000;
// Nothing can be raised for a key no runner was issued, so the engine need not judge those events.
const recalls = new Map<string, Observation & { recall: readonly [string] }>();

function recallOf(keyId: string): Observation & { recall: readonly [string] } {
  let observation = recalls.get(keyId);
  if (observation === undefined) {
    observation = Object.freeze({
      recall: Object.freeze([`issued:${keyId}`] as const),
      onlyIfRecalled: true,
    });
    if (recalls.size >= MAX_CACHED_KEYS) recalls.clear();
    recalls.set(keyId, observation);
  }
  return observation;
}

/** A session chained from a CI runner's: the runner's key, and what the chain says about the runner. */
interface ChainedRun {
  /** The key the web-identity exchange issued (the chain's first hop), or a `role` origin's key. */
  runnerKey: string;
  /** The runner's pipeline, by the chain's first role. */
  pipeline?: Pipeline;
  /** The runner's role, path-less. */
  runnerRole: string;
  /** The chain's origin is the runner's token itself (not a `role` origin, whose exchange must be recalled). */
  fromToken: boolean;
  subject?: string;
  chain: Chain;
  lastHop: Hop;
  observation: Observation;
}

const openRecalls = new Map<string, Observation & { recall: readonly [string] }>();

/** Like {@link recallOf}, but judged without a recalled value (the pipeline's networks decide alone). */
function openRecallOf(keyId: string): Observation {
  let observation = openRecalls.get(keyId);
  if (observation === undefined) {
    observation = Object.freeze({ recall: recallOf(keyId).recall });
    if (openRecalls.size >= MAX_CACHED_KEYS) openRecalls.clear();
    openRecalls.set(keyId, observation);
  }
  return observation;
}

/**
 * The runner behind a chained session: a chain that starts at a CI token (or at a session whose key may
 * have been issued to one) and goes on by `AssumeRole` only. A stack's service role is not the runner's
 * credential (CloudFormation holds it), and a one-hop chain is the runner's own session, judged directly.
 */
function findChainedRun(chain: Chain, inventory: Inventory): ChainedRun | null {
  const { origin, hops } = chain;
  const fromToken = origin.kind === 'web-identity';
  const first = fromToken ? 1 : 0;
  const lastHop = hops[hops.length - 1];
  if (lastHop === undefined || hops.length <= first) return null;
  for (let i = first; i < hops.length; i++) if ((hops[i] as Hop).via !== 'assume-role') return null;
  let runnerKey: string | undefined;
  let runnerArn: string | undefined;
  if (fromToken) {
    const hop = hops[0] as Hop;
    if (hop.via !== 'web-identity') return null;
    if (ciProviderOf(origin.provider, configuredIssuers(inventory)) === undefined) return null;
    runnerKey = hop.accessKeyId;
    runnerArn = hop.role;
  } else if (origin.kind === 'role') {
    runnerKey = origin.accessKeyId;
    runnerArn = origin.principal;
  }
  const role = parseRoleArn(runnerArn);
  if (runnerKey === undefined || !runnerKey.startsWith('ASIA') || role === undefined) return null;
  const pipeline = inventory.findByRole(role);
  // With networks, a token origin is judged without the exchange; anything else needs it to exist.
  const networks = pipeline?.networks !== undefined && networksOf(pipeline.networks).configured;
  return {
    runnerKey,
    pipeline,
    runnerRole: role.canonicalArn,
    fromToken,
    subject: origin.subject,
    chain,
    lastHop,
    observation: fromToken && networks ? openRecallOf(runnerKey) : recallOf(runnerKey),
  };
}

const chainedRuns = new WeakMap<Inventory, WeakMap<Chain, ChainedRun | null>>();

/** The runner behind a call's session, once per chain object; undefined for a runner's own session. */
function chainedRunOf(event: NormalizedEvent, inventory: Inventory): ChainedRun | undefined {
  const chain = event.lineage?.[0];
  // The runner's own session (one hop from its token): most pipeline calls, answered before any lookup.
  if (chain === undefined || chain.hops.length < (chain.origin.kind === 'web-identity' ? 2 : 1))
    return undefined;
  let byChain = chainedRuns.get(inventory);
  if (byChain === undefined) {
    byChain = new WeakMap();
    chainedRuns.set(inventory, byChain);
  }
  let run = byChain.get(chain);
  if (run === undefined) {
    run = findChainedRun(chain, inventory);
    byChain.set(chain, run);
  }
  return run ?? undefined;
}

export const oidcSessionExfiltration = defineDetector({
  kind: 'stateful',
  id: 'oidc-session-exfiltration',
  title: 'CI OIDC credentials used outside the CI runner',
  description:
    'Session credentials that AssumeRoleWithWebIdentity issued to a GitHub/GitLab runner, used from an address outside the pipeline networks (or, without networks, other than the runner that exchanged the token): stolen by a poisoned action or dependency. Sessions chained from those credentials (AssumeRole with them, any number of hops) are judged the same way. Critical for production pipelines. Needs the full management event stream, read-only events included (stolen credentials often only read).',
  severity: 'critical',
  runbook: [
    '1. Revoke the role\'s sessions now: IAM console → role → "Revoke active sessions" (a deny on `aws:TokenIssueTime`), so the stolen credentials stop working before they expire (details.expiresAt). For a chained session (details.chain), revoke the sessions of every role on the chain: revoking the pipeline role\'s does not end sessions already assumed with its credentials.',
    '2. List everything the credentials did and from where: `trailguard query session --access-key-id <details.accessKeyId>`; undo what was changed from details.usedFrom and treat data it read as disclosed.',
    '3. Lock the trust policy: pin `<issuer>:sub` with StringEquals to the exact repo and branch/environment (details.subject), and stop the workflow from assuming the role until step 4 is done.',
    '4. Find the workflow run that received the credentials (details.subject, details.issuedAt, details.issuedFrom): which third-party actions, scripts or dependencies ran in it; pin actions by commit SHA and rotate every secret that job could read.',
    '5. If details.usedFrom is in fact a runner of yours (self-hosted pool, NAT egress), add its CIDR to `pipelines[].networks` in trailguard.yaml.',
  ].join('\n'),
  needs: [{ source: '*', readOnly: true }],
  params: z.object({
    compareExchangeIp: z.boolean().default(true).meta({
      description:
        'For pipelines without `networks`: report use from an address other than the one that exchanged the token. Turn off when runners egress through rotating addresses and no CIDRs are known.',
    }),
  }),
  usesLineage: true,
  // The calls judge may raise on: a chained session looks like any other until its link is read. The
  // link lookups are of the same keys, and as many, as the `issued:` recalls observe already makes.
  readsLineage: (event) =>
    event.credential.kind === 'temporary' &&
    event.invokedBy === undefined &&
    !event.viaAwsService &&
    event.vpcEndpointId === undefined,
  lookback: () => 0,
  // A session call recalls its own key's exchange unless lineage shows it chained from another runner key.
  prefetch: (event) =>
    event.credential.kind === 'temporary' && event.credential.accessKeyId !== undefined
      ? recallOf(event.credential.accessKeyId).recall[0]
      : undefined,
  observe(event, { inventory }) {
    const { credential, oidc } = event;
    // Hot path: almost every event is either signed by a session key or ignored.
    if (credential.kind === 'temporary') {
      if (credential.accessKeyId === undefined) return undefined;
      const chained = event.lineage === undefined ? undefined : chainedRunOf(event, inventory);
      return chained?.observation ?? recallOf(credential.accessKeyId);
    }
    if (oidc === undefined || event.outcome !== 'success' || oidc.issuedAccessKeyId === undefined)
      return undefined;
    if (!isCiAssumption(oidc, inventory)) return undefined;
    const ttlMs = lifetimeOf(event, oidc);
    const issuance: Issuance = {
      sourceIp: clip(event.sourceIp),
      userAgent: clip(event.userAgent),
      roleArn: oidc.role?.arn,
      pipeline: inventory.findByRole(oidc.role)?.name,
      subject: clip(oidc.subject),
      issuedAt: event.time,
      expiresAt: event.time + ttlMs,
    };
    // Kept past the credentials' expiry for the sessions chained from them; `expiresAt` still bounds the
    // runner's own key.
    const remember = [
      {
        key: `issued:${oidc.issuedAccessKeyId}`,
        value: JSON.stringify(issuance),
        ttlMs: ttlMs + CHAINED_GRACE_MS,
      },
    ];
    return { remember };
  },
  judge(event, state, { inventory, params }) {
    const keyId = event.credential.accessKeyId;
    if (event.credential.kind !== 'temporary' || keyId === undefined) return undefined;
    const chained = event.lineage === undefined ? undefined : chainedRunOf(event, inventory);
    const runnerKey = chained?.runnerKey ?? keyId;
    const issuance = parseIssuance(state.recalled(recallOf(runnerKey).recall[0] as string));
    if (chained === undefined) {
      if (issuance === undefined || event.time < issuance.issuedAt || event.time >= issuance.expiresAt)
        return undefined;
    } else if (issuance === undefined ? chained.observation.onlyIfRecalled : event.time < issuance.issuedAt) {
      // A chained session outlives the runner's key (the recall's lifetime bounds it); a token origin
      // with networks is judged without the exchange.
      return undefined;
    }
    // A service acting for the session, or a call through a VPC endpoint, says nothing about who holds the key.
    if (event.invokedBy !== undefined || event.viaAwsService || event.vpcEndpointId !== undefined)
      return undefined;
    const usedFrom = parseIp(event.sourceIp);
    if (usedFrom === undefined) return undefined;
    const pipeline = chained?.pipeline ?? (issuance && pipelineOf(event, issuance, inventory));
    const networks = pipeline?.networks === undefined ? undefined : networksOf(pipeline.networks);
    let where: string;
    if (networks?.configured) {
      if (networks.contains(usedFrom.address)) return undefined;
      where = `outside the networks of pipeline ${pipeline?.name}`;
    } else {
      const issuedFrom = parseIp(issuance?.sourceIp);
      if (!params.compareExchangeIp || issuedFrom === undefined || issuedFrom.address === usedFrom.address)
        return undefined;
      where = `away from the runner that exchanged the token (${issuedFrom.address})`;
    }
    const roleArn = issuance?.roleArn ?? chained?.runnerRole ?? event.actor.role?.arn ?? event.actor.key;
    const label = pipeline
      ? `pipeline ${pipeline.name}${pipeline.environment ? `/${pipeline.environment}` : ''}`
      : roleArn;
    const subject = issuance?.subject ?? chained?.subject;
    const through = chained ? `, through ${chainText(chained.chain)}` : '';
    // A chained key lives until its own expiry (at most an hour after its assumption), the runner's until
    // the exchange's: repeats fold until then, across every key of the chain (one theft, one finding).
    const until = chained
      ? Math.max(issuance?.expiresAt ?? 0, chained.lastHop.time + CHAINED_LIFETIME_MS)
      : (issuance as Issuance).expiresAt;
    return {
      severity: pipeline?.prod ? 'critical' : 'high',
      summary: `CI credentials of ${subject ?? 'an unknown subject'} (${label}) used from ${usedFrom.address}, ${where}${through}: ${event.action} [${event.outcome}${event.errorCode ? ` ${event.errorCode}` : ''}]`,
      principal: roleArn,
      subject,
      pipeline: pipeline?.name,
      environment: pipeline?.environment,
      key: runnerKey,
      cooldownMs: Math.max(until - event.time, 60_000),
      details: {
        accessKeyId: keyId,
        action: event.action,
        outcome: event.outcome,
        errorCode: event.errorCode,
        issuedFrom: issuance?.sourceIp,
        usedFrom: usedFrom.address,
        issuedUserAgent: issuance?.userAgent,
        userAgent: event.userAgent,
        networksConfigured: networks?.configured === true,
        networks: networks?.configured ? networks.cidrs : undefined,
        sessionName: event.actor.sessionName,
        issuedAt: issuance ? new Date(issuance.issuedAt).toISOString() : undefined,
        expiresAt: issuance ? new Date(issuance.expiresAt).toISOString() : undefined,
        ...(chained
          ? { runnerAccessKeyId: runnerKey, chain: chainText(chained.chain), lineage: event.lineage }
          : {}),
      },
    };
  },
});
