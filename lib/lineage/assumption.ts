import type { Chain, Hop, Origin } from '../events/chain.ts';
import { parseExpiration } from '../events/expiration.ts';
import type { NormalizedEvent, RoleRef } from '../events/normalized-event.ts';
import { numberValue, objectAt, stringAt } from '../events/record-fields.ts';
import { parseAssumedRoleArn, parseRoleArn } from '../identity/arn.ts';

/**
 * What an `AssumeRole*` record says about the session it created: the key it issued, the role, how long
 * the key lives. Read from successful assumptions only (a denied one issues nothing). Detection (the
 * lineage resolver) and `query session` both read issued keys here, so they follow the same links.
 */

const STS = 'sts.amazonaws.com';
const HOUR_MS = 3_600_000;
/** STS issues no session for longer than 12 hours (web identity, SAML, role chaining is 1 hour). */
const MAX_LIFETIME_MS = 12 * HOUR_MS;
const VIA: Readonly<Record<string, Hop['via']>> = {
  AssumeRole: 'assume-role',
  AssumeRoleWithWebIdentity: 'web-identity',
  AssumeRoleWithSAML: 'saml',
};

/** STS event names that create role sessions (the records lineage is built from). */
export const ASSUMPTION_EVENTS = Object.keys(VIA);

export interface Assumption {
  issuedKey: string;
  role: RoleRef;
  via: Hop['via'];
  sessionName?: string;
  sourceIdentity?: string;
  /** When the issued credentials expire (epoch ms, event time). */
  expiresAt: number;
}

/** True for any `AssumeRole*` record, succeeded or not. */
export function isAssumption(event: NormalizedEvent): boolean {
  return event.source === STS && VIA[event.name] !== undefined;
}

/**
 * The credentials any successful STS call returned: the `AssumeRole*` calls, and `GetSessionToken` /
 * `GetFederationToken`, which issue a key without entering a role (`query session` follows those too).
 */
export interface IssuedCredentials {
  issuedKey: string;
  /** `assumedRoleUser.arn`, as the record wrote it (attacker-influenced session name: escape on output). */
  sessionArn?: string;
  /** The role entered; undefined for calls that enter none. */
  role?: RoleRef;
}

/** What a successful STS call issued; undefined for failed calls and calls that issue no key. */
export function issuedCredentialsOf(event: NormalizedEvent): IssuedCredentials | undefined {
  if (event.outcome !== 'success' || event.source !== STS) return undefined;
  const issuedKey =
    event.oidc?.issuedAccessKeyId ?? stringAt(objectAt(event.responseElements, 'credentials'), 'accessKeyId');
  if (issuedKey === undefined) return undefined;
  const sessionArn = stringAt(objectAt(event.responseElements, 'assumedRoleUser'), 'arn');
  const role =
    event.oidc?.role ??
    parseAssumedRoleArn(sessionArn)?.role ??
    parseRoleArn(stringAt(event.requestParameters, 'roleArn'));
  return { issuedKey, sessionArn, role };
}

/** The session a successful assumption created; undefined for anything else. */
export function assumptionOf(event: NormalizedEvent): Assumption | undefined {
  if (!isAssumption(event)) return undefined;
  const issued = issuedCredentialsOf(event);
  const role = issued?.role;
  if (issued === undefined || role === undefined) return undefined;
  const credentials = objectAt(event.responseElements, 'credentials');
  const assumed = parseAssumedRoleArn(issued.sessionArn);
  return {
    issuedKey: issued.issuedKey,
    role,
    via: VIA[event.name] as Hop['via'],
    sessionName: assumed?.sessionName ?? stringAt(event.requestParameters, 'roleSessionName'),
    sourceIdentity:
      stringAt(event.responseElements, 'sourceIdentity') ??
      stringAt(event.requestParameters, 'sourceIdentity') ??
      event.actor.sourceIdentity,
    expiresAt: event.time + lifetimeOf(event, credentials),
  };
}

function lifetimeOf(event: NormalizedEvent, credentials: Record<string, unknown> | undefined): number {
  const expiry = event.oidc?.expiresAt ?? parseExpiration(credentials?.expiration);
  const stated = expiry === undefined ? Number.NaN : expiry - event.time;
  const requested = (numberValue(event.requestParameters?.durationSeconds) ?? Number.NaN) * 1000;
  const lifetime = stated > 0 ? stated : requested > 0 ? requested : HOUR_MS;
  return Math.min(lifetime, MAX_LIFETIME_MS);
}

/**
 * The caller of an assumption as the origin of a chain, when the caller's own credentials have no link:
 * the first principal trailguard can see.
 */
export function callerAsOrigin(event: NormalizedEvent, sourceIdentity: string | undefined): Origin {
  const { actor, credential } = event;
  const accessKeyId = credential.accessKeyId;
  if (event.oidc !== undefined) {
    return {
      kind: 'web-identity',
      principal: event.oidc.providerArn ?? event.oidc.issuer ?? actor.key,
      account: actor.accountId ?? event.account,
      subject: event.oidc.subject,
      provider: event.oidc.providerArn ?? event.oidc.issuer,
    };
  }
  const base = { principal: actor.key, account: actor.accountId, accessKeyId, sourceIdentity };
  switch (actor.type) {
    case 'SAMLUser':
      return { ...base, kind: 'saml' };
    case 'IAMUser':
      return { ...base, kind: 'iam-user' };
    case 'Root':
      return { ...base, kind: 'root' };
    case 'AWSService':
      return {
        ...base,
        kind: 'service',
        principal: `service:${actor.service ?? event.invokedBy ?? 'unknown'}`,
      };
    case 'AssumedRole':
      return {
        ...base,
        kind: 'role',
        principal: actor.role?.canonicalArn ?? actor.key,
        sessionName: actor.sessionName,
      };
    case 'AWSAccount':
      return { ...base, kind: 'account' };
    default:
      return { ...base, kind: 'other' };
  }
}

/** The hop an assumption adds to its caller's chain. */
export function hopOf(event: NormalizedEvent, assumption: Assumption): Hop {
  return {
    via: assumption.via,
    role: assumption.role.canonicalArn,
    account: assumption.role.account,
    sessionName: assumption.sessionName,
    accessKeyId: assumption.issuedKey,
    eventId: event.id,
    time: event.time,
  };
}

/** A chain that starts at this assumption's caller (whose own credentials have no known link). */
export function chainFromCaller(event: NormalizedEvent, assumption: Assumption): Chain {
  return { origin: callerAsOrigin(event, assumption.sourceIdentity), hops: [hopOf(event, assumption)] };
}
