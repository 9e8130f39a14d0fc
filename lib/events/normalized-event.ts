/**
 * The one shape every detector reads. Built once per CloudTrail record by `normalizeRecord`
 * (lib/events/normalize.ts); nobody re-parses ARNs, subjects or error codes after that.
 * Every field a CloudTrail record may lack is optional here: normalization never throws.
 */

import type { Chain } from './chain.ts';

/** The kind of identity that made the call, from `userIdentity.type` (normalized). */
export type ActorType =
  | 'AssumedRole'
  | 'IAMUser'
  | 'Root'
  | 'AWSService'
  | 'AWSAccount'
  | 'IdentityCenterUser'
  | 'WebIdentityUser'
  | 'SAMLUser'
  | 'FederatedUser'
  | 'Unknown';

/** How the request was signed. */
export type CredentialKind =
  /** An IAM user's or root's access key (`AKIA…`): never expires by itself. */
  | 'long-lived'
  /** STS session credentials (`ASIA…`) outside the console. */
  | 'temporary'
  /** A console session (`sessionCredentialFromConsole`, or a sign-in event). */
  | 'console'
  /** No access key at all (unauthenticated STS calls, AWS services, sign-in). */
  | 'none';

/** An IAM role as seen in a record, in both the form the record gave and a path-less canonical form. */
export interface RoleRef {
  /** The ARN as the record gave it (with the role's path when `sessionIssuer` supplied it). */
  arn: string;
  /** `arn:<partition>:iam::<account>:role/<name>`: the path dropped, so the inventory matches by account and name. */
  canonicalArn: string;
  account: string;
  name: string;
}

/** The IAM principal that acted. */
export interface Actor {
  type: ActorType;
  /**
   * The principal's ARN: the role ARN (not the session ARN) for assumed roles, the user ARN for IAM users,
   * `arn:…:root` for root, the federated-user ARN, the identity provider ARN for web-identity callers.
   * Undefined when the record names none (AWS services, Identity Center users, `AWSAccount` callers).
   */
  arn?: string;
  /**
   * A stable, never-empty key for counting and display: `arn` when known, else the best identifier the
   * record has (`service:<name>`, `account:<id>:<principalId>`, `identitycenter:<userId>`, `unknown`).
   */
  key: string;
  /** The account that owns the principal (`userIdentity.accountId`). */
  accountId?: string;
  /** For assumed roles: the role. */
  role?: RoleRef;
  /** For assumed roles: the session ARN (`arn:aws:sts::…:assumed-role/<role>/<session>`). */
  sessionArn?: string;
  /** For assumed roles and federated users: the session name. Attacker-controlled for OIDC sessions. */
  sessionName?: string;
  /** IAM user name, or the subject for web-identity / SAML callers. */
  userName?: string;
  /** The AWS service acting (from `invokedBy` for AWSService callers, e.g. `ec2.amazonaws.com`). */
  service?: string;
  /** `sessionContext.sourceIdentity` when set: survives role chaining. */
  sourceIdentity?: string;
}

export interface Credential {
  kind: CredentialKind;
  /** The access key id that signed the request, when the record names a real one (never `""`). */
  accessKeyId?: string;
}

/** Which CI/CD (or other) identity provider issued a web-identity token. */
export type OidcProviderKind = 'github' | 'gitlab' | 'other';

/** Claims read out of an OIDC subject. All optional: custom subject templates may omit any of them. */
export interface OidcClaims {
  /** Repository owner (GitHub) or group path (GitLab), without any `@ID` suffix. */
  owner?: string;
  /** Repository name without owner and without any `@ID` suffix. */
  repository?: string;
  /** `owner/repository`. */
  repositoryPath?: string;
  ownerId?: string;
  repositoryId?: string;
  /** Branch name when the subject names a branch ref. */
  branch?: string;
  /** Tag name when the subject names a tag ref. */
  tag?: string;
  /** The full ref as given (`refs/heads/main`, or GitLab's bare ref). */
  ref?: string;
  environment?: string;
  /** True for GitHub `…:pull_request` subjects (and GitLab merge-request refs, where recognisable). */
  pullRequest?: boolean;
  /** Further `key:value` pairs from custom templates (`job_workflow_ref`, `context`, …). */
  extra?: Record<string, string>;
}

/** An `AssumeRoleWithWebIdentity` call, read out of its record. */
export interface OidcAssumption {
  provider: OidcProviderKind;
  /** Issuer host and path as in the provider ARN or principalId, e.g. `token.actions.githubusercontent.com`. */
  issuer?: string;
  /** The identity provider ARN (`arn:aws:iam::…:oidc-provider/…`) or bare host, when the record has it. */
  providerArn?: string;
  /** The `sub` claim: `responseElements.subjectFromWebIdentityToken`, else `userName`, else the principalId tail. */
  subject?: string;
  audience?: string;
  /** The role being assumed; denied records may lack it. */
  role?: RoleRef;
  claims: OidcClaims;
  /** The session credentials issued (successful calls only). */
  issuedAccessKeyId?: string;
  /** Expiry of the issued credentials (epoch ms), when parseable. */
  expiresAt?: number;
  sessionName?: string;
}

export type Outcome =
  /** The call succeeded. */
  | 'success'
  /** An authorization failure (see lib/identity/denial.ts for the allow-list). */
  | 'denied'
  /** Failed for another reason (`NoSuchEntity`, …): the permission check passed. */
  | 'error';

export interface NormalizedEvent {
  /** `eventID`, or a deterministic digest of the record for old records that lack one. */
  id: string;
  /** Event time, epoch milliseconds. */
  time: number;
  /** `recipientAccountId`, else the caller's account. */
  account?: string;
  region?: string;
  /** `eventSource`, e.g. `iam.amazonaws.com`. */
  source: string;
  /** `eventName`, e.g. `AttachRolePolicy`. */
  name: string;
  /** IAM action, e.g. `iam:AttachRolePolicy` (service prefix from the event source). */
  action: string;
  /** `readOnly`, derived from the name when the record lacks the field. */
  readOnly: boolean;
  /** Management event (vs data / insight / network activity). */
  management: boolean;
  /** `eventType`, e.g. `AwsApiCall`, `AwsConsoleSignIn`. */
  eventType?: string;
  outcome: Outcome;
  errorCode?: string;
  errorMessage?: string;
  actor: Actor;
  credential: Credential;
  sourceIp?: string;
  userAgent?: string;
  /** `userIdentity.invokedBy`: an AWS service acting on the principal's behalf. */
  invokedBy?: string;
  /** True when the source address is an AWS service name or `AWS Internal`, not an IP. */
  viaAwsService: boolean;
  vpcEndpointId?: string;
  /** Set on `AssumeRoleWithWebIdentity` records. */
  oidc?: OidcAssumption;
  /** Later calls by a web-identity session: `sessionContext.webIdFederationData.federatedProvider`. */
  federatedProvider?: string;
  requestParameters?: Record<string, unknown>;
  responseElements?: Record<string, unknown>;
  /**
   * Where the signing credentials came from (lib/lineage), set by the engine before detectors see the
   * event: one chain, or one per overlapping stack operation for CloudFormation service-role calls.
   * Undefined when trailguard has not seen how the session was created (or lineage is off).
   */
  lineage?: readonly Chain[];
  /** The record as read, for rare fields. Treat as untrusted. */
  raw: Record<string, unknown>;
}
