import type { RoleRef } from '../events/normalized-event.ts';

/**
 * ARN helpers for IAM roles. A role ARN carries the role's path (`role/ci/deploy-prod`) when it comes from
 * `sessionIssuer`, but not when derived from an assumed-role session ARN; the inventory therefore matches
 * by account and name, and `canonicalArn` drops the path.
 */

const ROLE_ARN = /^arn:([^:]*):iam::([^:]*):role\/(.+)$/;
const ASSUMED_ROLE_ARN = /^arn:([^:]*):sts::([^:]*):assumed-role\/([^/]+)\/(.*)$/;

/**
 * Parsed ARNs by text. The same few roles and sessions sign nearly every record, so each ARN is read once
 * rather than per record; the results are frozen because every event naming that role shares them. The
 * bound only guards against a stream of distinct ARNs (the map then starts over).
 */
const MAX_CACHED = 4096;
const roleCache = new Map<string, RoleRef | null>();
const sessionCache = new Map<string, { role: RoleRef; sessionName: string } | null>();

function cached<T>(
  cache: Map<string, T | null>,
  key: string,
  parse: (key: string) => T | undefined,
): T | undefined {
  const hit = cache.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const parsed = parse(key);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, parsed ?? null);
  return parsed;
}

/** Reads an IAM role ARN (with or without a path); undefined for anything else. */
export function parseRoleArn(arn: string | undefined): RoleRef | undefined {
  if (!arn) return undefined;
  return cached(roleCache, arn, readRoleArn);
}

function readRoleArn(arn: string): RoleRef | undefined {
  const match = ROLE_ARN.exec(arn);
  if (!match) return undefined;
  const [, partition = 'aws', account = '', pathAndName = ''] = match;
  const name = pathAndName.slice(pathAndName.lastIndexOf('/') + 1);
  if (!name) return undefined;
  return Object.freeze({ arn, canonicalArn: `arn:${partition}:iam::${account}:role/${name}`, account, name });
}

/** Splits `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION` into the role (path-less) and session name. */
export function parseAssumedRoleArn(
  arn: string | undefined,
): { role: RoleRef; sessionName: string } | undefined {
  if (!arn) return undefined;
  return cached(sessionCache, arn, readAssumedRoleArn);
}

function readAssumedRoleArn(arn: string): { role: RoleRef; sessionName: string } | undefined {
  const match = ASSUMED_ROLE_ARN.exec(arn);
  if (!match) return undefined;
  const [, partition = 'aws', account = '', name = '', sessionName = ''] = match;
  const canonicalArn = `arn:${partition}:iam::${account}:role/${name}`;
  return Object.freeze({
    role: Object.freeze({ arn: canonicalArn, canonicalArn, account, name }),
    sessionName,
  });
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
