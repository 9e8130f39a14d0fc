import { parseExpiration } from '../events/expiration.ts';
import type { OidcAssumption, RoleRef } from '../events/normalized-event.ts';
import { type JsonObject, nonEmptyString, objectAt, objectValue, stringAt } from '../events/record-fields.ts';
import { parseAssumedRoleArn, parseRoleArn } from './arn.ts';
import {
  issuerOfProvider,
  type OidcIssuerMapping,
  oidcProviderOf,
  providerArnInPrincipal,
} from './oidc-issuer.ts';
import { parseOidcSubject } from './oidc-subject.ts';

/**
 * Reads an `AssumeRoleWithWebIdentity` record. Denied calls have `responseElements: null` and sometimes no
 * `requestParameters.roleArn`, but the subject survives in `userIdentity.userName` / `principalId`
 * (`<providerArn>:<aud>:<sub>`), so every field falls back to what the caller identity still says.
 */

const ROLE_RESOURCE = 'AWS::IAM::Role';
// A real record lists one role; a hostile one gets no more than a glance.
const MAX_RESOURCES = 16;

function roleFromResources(resources: unknown): RoleRef | undefined {
  if (!Array.isArray(resources)) return undefined;
  const count = Math.min(resources.length, MAX_RESOURCES);
  for (let i = 0; i < count; i++) {
    const resource = objectValue(resources[i]);
    if (stringAt(resource, 'type') !== ROLE_RESOURCE) continue;
    const role = parseRoleArn(stringAt(resource, 'ARN'));
    if (role !== undefined) return role;
  }
  return undefined;
}

/** Index of the `:` that ends the audience in `<aud>:<sub>`; URL audiences (`https://github.com/o`) keep theirs. */
function audienceEnd(rest: string): number {
  const scheme = rest.startsWith('https://') ? 8 : rest.startsWith('http://') ? 7 : 0;
  return rest.indexOf(':', scheme);
}

/** Splits the principalId tail `<aud>:<sub>`, anchored on whichever of the two the record states. */
function splitPrincipalTail(
  rest: string,
  audience: string | undefined,
  subject: string | undefined,
): { audience?: string; subject?: string } {
  if (subject !== undefined) {
    const cut = rest.length - subject.length - 1;
    if (cut > 0 && rest[cut] === ':' && rest.endsWith(subject))
      return { audience: audience ?? rest.slice(0, cut), subject };
    return { audience, subject };
  }
  if (audience !== undefined && rest.length > audience.length + 1 && rest.startsWith(`${audience}:`)) {
    return { audience, subject: rest.slice(audience.length + 1) };
  }
  const cut = audienceEnd(rest);
  if (cut <= 0) return { audience, subject };
  return { audience: audience ?? rest.slice(0, cut), subject: rest.slice(cut + 1) || undefined };
}

/**
 * The OIDC assumption in an `AssumeRoleWithWebIdentity` record. `issuers` adds configured issuer →
 * provider mappings (GHES, self-managed GitLab) to the built-in public ones.
 */
export function resolveOidcAssumption(
  record: JsonObject,
  issuers?: readonly OidcIssuerMapping[],
): OidcAssumption {
  const identity = objectValue(record.userIdentity);
  const request = objectValue(record.requestParameters);
  const response = objectValue(record.responseElements);
  const credentials = objectAt(response, 'credentials');
  const principalId = stringAt(identity, 'principalId');
  const providerArn =
    stringAt(identity, 'identityProvider') ??
    stringAt(response, 'provider') ??
    providerArnInPrincipal(principalId);
  let subject = stringAt(response, 'subjectFromWebIdentityToken') ?? stringAt(identity, 'userName');
  let audience = stringAt(response, 'audience');
  if (principalId !== undefined && providerArn !== undefined && principalId.startsWith(`${providerArn}:`)) {
    const split = splitPrincipalTail(principalId.slice(providerArn.length + 1), audience, subject);
    subject = split.subject;
    audience = split.audience;
  }
  const issuer = issuerOfProvider(providerArn);
  const provider = oidcProviderOf(issuer, issuers);
  return {
    provider,
    issuer,
    providerArn,
    subject,
    audience,
    role: parseRoleArn(stringAt(request, 'roleArn')) ?? roleFromResources(record.resources),
    claims: subject === undefined ? {} : parseOidcSubject(subject, provider),
    issuedAccessKeyId: stringAt(credentials, 'accessKeyId'),
    expiresAt: parseExpiration(credentials?.expiration),
    sessionName:
      stringAt(request, 'roleSessionName') ??
      parseAssumedRoleArn(stringAt(objectAt(response, 'assumedRoleUser'), 'arn'))?.sessionName,
  };
}

/**
 * The OIDC provider behind a later call made with web-identity session credentials
 * (`sessionContext.webIdFederationData.federatedProvider`); undefined for `{}` and for other sessions.
 */
export function federatedProviderOf(userIdentity: unknown): string | undefined {
  // Named reads, not the keyed helpers: this runs for every record, and a property read through a shared
  // helper with many keys is a megamorphic lookup every time.
  const sessionContext = objectValue(objectValue(userIdentity)?.sessionContext);
  return nonEmptyString(objectValue(sessionContext?.webIdFederationData)?.federatedProvider);
}
