import type { Actor, ActorType, RoleRef } from '../events/normalized-event.ts';
import { type JsonObject, nonEmptyString, objectValue } from '../events/record-fields.ts';
import { parseAssumedRoleArn, parseRoleArn } from './arn.ts';

/**
 * Who made a call, from `userIdentity`. Never assumes `arn` exists: AWSAccount callers, AWS services,
 * Identity Center users (`arn: ""`), SAML users and AWS-internal service events (no `type` at all) have none.
 */

const ACTOR_TYPES: ReadonlySet<string> = new Set<ActorType>([
  'AssumedRole',
  'IAMUser',
  'Root',
  'AWSService',
  'AWSAccount',
  'IdentityCenterUser',
  'WebIdentityUser',
  'SAMLUser',
  'FederatedUser',
]);

const AWS_INTERNAL = 'AWS Internal';
const FEDERATED_USER = ':federated-user/';

/** `prefix:part:part` over the parts that are known; undefined when none is. */
function keyOf(prefix: string, first: string | undefined, second?: string): string | undefined {
  if (first === undefined) return second === undefined ? undefined : `${prefix}:${second}`;
  return second === undefined ? `${prefix}:${first}` : `${prefix}:${first}:${second}`;
}

/** The text after the first `:` (the session name in an `AROA…:session` principalId). */
function afterColon(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const colon = value.indexOf(':');
  return colon < 0 || colon === value.length - 1 ? undefined : value.slice(colon + 1);
}

/** The role behind an assumed-role session: `sessionIssuer` (keeps the path), else the session ARN. */
function issuerRole(identity: JsonObject, sessionArn: string | undefined): RoleRef | undefined {
  const issuer = objectValue(objectValue(identity.sessionContext)?.sessionIssuer);
  const issuerType = nonEmptyString(issuer?.type);
  if (issuerType === undefined || issuerType === 'Role') {
    const role = parseRoleArn(nonEmptyString(issuer?.arn));
    if (role !== undefined) return role;
  }
  return parseAssumedRoleArn(sessionArn)?.role;
}

function typeOf(identity: JsonObject): ActorType {
  const type = nonEmptyString(identity.type);
  return type !== undefined && ACTOR_TYPES.has(type) ? (type as ActorType) : 'Unknown';
}

/**
 * The inputs an `AssumedRole` or `AWSService` actor is built from, and the actor they gave. The same few
 * sessions and services sign nearly every record, so their (frozen) actor is shared rather than rebuilt:
 * one map lookup and a few string comparisons instead of two ARN lookups and an object per record. Other
 * types read more fields and are rare; they are built each time.
 */
interface Remembered {
  type: ActorType;
  givenArn?: string;
  accountId?: string;
  principalId?: string;
  invokedBy?: string;
  sourceIdentity?: string;
  issuerType?: string;
  issuerArn?: string;
  actor: Actor;
}

const MAX_REMEMBERED = 4096;
const remembered = new Map<string, Remembered>();

/**
 * Resolves the acting principal. `record` supplies context for identities that name nobody: an
 * AWS-internal service event (`userIdentity` without `type`) is keyed by the service that emitted it.
 * The result may be shared with other events of the same principal: it is frozen.
 */
export function resolveActor(userIdentity: unknown, record: JsonObject): Actor {
  const identity = objectValue(userIdentity) ?? {};
  const type = typeOf(identity);
  if (type !== 'AssumedRole' && type !== 'AWSService') return buildActor(identity, type, record);
  // Plain locals, not an inputs object: this runs for nearly every record.
  const sessionContext = objectValue(identity.sessionContext);
  const issuer = type === 'AssumedRole' ? objectValue(sessionContext?.sessionIssuer) : undefined;
  const givenArn = nonEmptyString(identity.arn);
  const accountId = nonEmptyString(identity.accountId);
  const principalId = nonEmptyString(identity.principalId);
  const invokedBy = nonEmptyString(identity.invokedBy);
  const sourceIdentity = nonEmptyString(sessionContext?.sourceIdentity);
  const issuerType = nonEmptyString(issuer?.type);
  const issuerArn = nonEmptyString(issuer?.arn);
  const memoKey = givenArn ?? invokedBy ?? principalId;
  if (memoKey === undefined) return buildActor(identity, type, record);
  const hit = remembered.get(memoKey);
  if (
    hit !== undefined &&
    hit.type === type &&
    hit.givenArn === givenArn &&
    hit.accountId === accountId &&
    hit.principalId === principalId &&
    hit.invokedBy === invokedBy &&
    hit.sourceIdentity === sourceIdentity &&
    hit.issuerType === issuerType &&
    hit.issuerArn === issuerArn
  )
    return hit.actor;
  const actor = buildActor(identity, type, record);
  if (remembered.size >= MAX_REMEMBERED) remembered.clear();
  remembered.set(memoKey, {
    type,
    givenArn,
    accountId,
    principalId,
    invokedBy,
    sourceIdentity,
    issuerType,
    issuerArn,
    actor,
  });
  return actor;
}

function buildActor(identity: JsonObject, type: ActorType, record: JsonObject): Actor {
  const givenArn = nonEmptyString(identity.arn);
  const accountId = nonEmptyString(identity.accountId);
  const principalId = nonEmptyString(identity.principalId);
  const invokedBy = nonEmptyString(identity.invokedBy);
  const sourceIdentity = nonEmptyString(objectValue(identity.sessionContext)?.sourceIdentity);
  let arn: string | undefined;
  let key: string | undefined;
  let role: RoleRef | undefined;
  let sessionArn: string | undefined;
  let sessionName: string | undefined;
  let userName: string | undefined;
  let service: string | undefined;

  switch (type) {
    case 'AssumedRole': {
      sessionArn = givenArn;
      role = issuerRole(identity, sessionArn);
      arn = role?.arn;
      sessionName = parseAssumedRoleArn(sessionArn)?.sessionName || afterColon(principalId);
      key = arn ?? sessionArn ?? keyOf('assumedrole', accountId, principalId);
      break;
    }
    case 'FederatedUser': {
      arn = givenArn;
      const slash = arn === undefined ? -1 : arn.indexOf(FEDERATED_USER);
      sessionName =
        arn !== undefined && slash >= 0 ? arn.slice(slash + FEDERATED_USER.length) : afterColon(principalId);
      key = arn ?? keyOf('federated', accountId, sessionName ?? principalId);
      break;
    }
    case 'AWSService':
      service = invokedBy;
      arn = givenArn;
      key = arn ?? keyOf('service', invokedBy ?? principalId);
      break;
    case 'AWSAccount':
      arn = givenArn;
      key = arn ?? keyOf('account', accountId, principalId);
      break;
    case 'IdentityCenterUser': {
      arn = givenArn;
      const userId = nonEmptyString(objectValue(identity.onBehalfOf)?.userId);
      key = arn ?? keyOf('identitycenter', userId ?? nonEmptyString(identity.credentialId) ?? principalId);
      break;
    }
    case 'WebIdentityUser': {
      const provider = nonEmptyString(identity.identityProvider);
      arn = givenArn ?? (provider?.startsWith('arn:') ? provider : undefined);
      userName = nonEmptyString(identity.userName);
      key = arn ?? keyOf('webidentity', provider, userName ?? principalId);
      break;
    }
    case 'SAMLUser':
      arn = givenArn;
      userName = nonEmptyString(identity.userName);
      key = arn ?? keyOf('saml', principalId ?? userName);
      break;
    case 'IAMUser':
    case 'Root':
      arn = givenArn;
      userName = type === 'IAMUser' ? nonEmptyString(identity.userName) : undefined;
      key = arn ?? keyOf(type === 'Root' ? 'root' : 'iamuser', accountId, userName ?? principalId);
      break;
    case 'Unknown': {
      arn = givenArn;
      // "AWS Internal" names no service; an AwsServiceEvent's emitter is its eventSource.
      const emitter = record.eventType === 'AwsServiceEvent' ? nonEmptyString(record.eventSource) : undefined;
      service = invokedBy !== undefined && invokedBy !== AWS_INTERNAL ? invokedBy : (emitter ?? invokedBy);
      key = arn ?? keyOf('service', service) ?? keyOf('unknown', accountId, principalId);
      break;
    }
  }

  return Object.freeze({
    type,
    arn,
    key: key ?? 'unknown',
    accountId,
    role,
    sessionArn,
    sessionName,
    userName,
    service,
    sourceIdentity,
  });
}
