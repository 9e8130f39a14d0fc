/**
 * The lineage of a call: where the credentials that signed it came from. A session's credentials are
 * issued by an assumption (`AssumeRole*`) made with other credentials, which were issued by another, and so
 * on back to the first principal trailguard can see: a CI runner's OIDC token, an IAM user's key, a human's
 * SAML or console sign-in, an AWS service. That principal is the chain's origin; every role entered on the
 * way is a hop, the last one being the role that signed the call.
 *
 * A call usually has one chain. A call CloudFormation makes with a stack's service role has one per stack
 * operation it may belong to (overlapping operations on one service role are not told apart by guessing).
 * Set on events by the engine's lineage step (lib/lineage), not by normalization: it needs state.
 */

/** What kind of principal started a chain. */
export type OriginKind =
  /** An `AssumeRoleWithWebIdentity` token holder (a CI runner, for GitHub/GitLab tokens). */
  | 'web-identity'
  /** An `AssumeRoleWithSAML` user (a human through an identity provider). */
  | 'saml'
  /** An IAM user's long-lived key (or a console session of an IAM user). */
  | 'iam-user'
  | 'root'
  /** An AWS service assuming a role on its own behalf (Lambda, ECS, CloudFormation…). */
  | 'service'
  /**
   * A role session whose own creation trailguard has not seen (Identity Center sign-ins, sessions older
   * than the trail, assumptions in accounts not forwarded): the chain starts at that session.
   */
  | 'role'
  /** The role owner's copy of a cross-account assumption: only the caller's account and principal id. */
  | 'account'
  /** Anything else that signed an assumption (federated users, unknown identity types). */
  | 'other';

export interface Origin {
  kind: OriginKind;
  /** The principal's ARN, else the best identifier the record had (`service:<name>`, `account:<id>:<principalId>`). */
  principal: string;
  account?: string;
  /** The access key that signed the first assumption, when there was one. */
  accessKeyId?: string;
  /** Web identity: the token's `sub` claim (attacker-influenced: escape on output). */
  subject?: string;
  /** Web identity: the identity provider ARN or issuer. */
  provider?: string;
  /** `sourceIdentity` where set: it survives every later hop. */
  sourceIdentity?: string;
  /** For `role` origins: the session name of that session (attacker-controlled: escape on output). */
  sessionName?: string;
}

/** One role entered on the way from the origin to the call. */
export interface Hop {
  /** How the role was entered: an assumption, or CloudFormation acting with a stack's service role. */
  via: 'assume-role' | 'web-identity' | 'saml' | 'cloudformation';
  /** The role, path-less (`arn:aws:iam::<account>:role/<name>`). */
  role: string;
  account: string;
  /** The session name given at the assumption (attacker-controlled: escape on output). */
  sessionName?: string;
  /** The key the assumption issued. */
  accessKeyId?: string;
  /** The CloudTrail eventID of the assumption or stack operation. */
  eventId: string;
  /** Event time of the assumption or stack operation (epoch ms). */
  time: number;
  /** `cloudformation` hops: the stack whose operation the call belongs to. */
  stack?: string;
}

export interface Chain {
  origin: Origin;
  /**
   * From the origin outwards; the last hop is the role that signed the call. Empty when the call was
   * signed by the origin itself (a session whose creation trailguard has not seen, an IAM user's key).
   */
  hops: readonly Hop[];
}
