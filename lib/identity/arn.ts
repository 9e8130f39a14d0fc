import type { RoleRef } from '../events/normalized-event.ts';

/**
 * ARN helpers for IAM roles. A role ARN carries the role's path (`role/ci/deploy-prod`) when it comes from
 * `sessionIssuer`, but not when derived from an assumed-role session ARN; the inventory therefore matches
 * by account and name, and `canonicalArn` drops the path.
 */

const ROLE_ARN = /^arn:([^:]*):iam::([^:]*):role\/(.+)$/;
const ASSUMED_ROLE_ARN = /^arn:([^:]*):sts::([^:]*):assumed-role\/([^/]+)\/(.*)$/;

/** Reads an IAM role ARN (with or without a path); undefined for anything else. */
export function parseRoleArn(arn: string | undefined): RoleRef | undefined {
  if (!arn) return undefined;
  const match = ROLE_ARN.exec(arn);
  if (!match) return undefined;
  const [, partition = 'aws', account = '', pathAndName = ''] = match;
  const name = pathAndName.slice(pathAndName.lastIndexOf('/') + 1);
  if (!name) return undefined;
  return { arn, canonicalArn: `arn:${partition}:iam::${account}:role/${name}`, account, name };
}

/** Splits `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION` into the role (path-less) and session name. */
export function parseAssumedRoleArn(
  arn: string | undefined,
): { role: RoleRef; sessionName: string } | undefined {
  if (!arn) return undefined;
  const match = ASSUMED_ROLE_ARN.exec(arn);
  if (!match) return undefined;
  const [, partition = 'aws', account = '', name = '', sessionName = ''] = match;
  const canonicalArn = `arn:${partition}:iam::${account}:role/${name}`;
  return { role: { arn: canonicalArn, canonicalArn, account, name }, sessionName };
}

/**
 * The path-less form of a role ARN pattern, used to match a role whose path is unknown. Only when the
 * path part is literal: `role/ci/*` has no path-less equivalent (stripping it would match every role).
 */
export function canonicalRolePattern(pattern: string): string | undefined {
  const match = ROLE_ARN.exec(pattern);
  if (!match) return undefined;
  const [, partition = 'aws', account = '', pathAndName = ''] = match;
  const slash = pathAndName.lastIndexOf('/');
  if (slash < 0) return pattern;
  if (pathAndName.slice(0, slash).includes('*')) return undefined;
  return `arn:${partition}:iam::${account}:role/${pathAndName.slice(slash + 1)}`;
}
