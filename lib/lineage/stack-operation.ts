import type { NormalizedEvent, RoleRef } from '../events/normalized-event.ts';
import { objectValue, stringAt } from '../events/record-fields.ts';
import { parseRoleArn } from '../identity/arn.ts';

/**
 * CloudFormation stack operations started with a service role. The operation's writes are signed by the
 * service role (`invokedBy: cloudformation.amazonaws.com`), not by whoever started it, and nothing in
 * those records names the operation: lineage joins them to the operation by service role, account,
 * region and time, narrowed by the stack name where the written resource's name carries it.
 *
 * Without a service role CloudFormation acts with the caller's own credentials (a forward access session
 * of the caller's role): those writes are signed by the caller and need no join.
 */

export const CLOUDFORMATION = 'cloudformation.amazonaws.com';

/** Stack operations that make CloudFormation write resources (a change set only when executed). */
export const STACK_OPERATION_EVENTS = [
  'CreateStack',
  'UpdateStack',
  'DeleteStack',
  'CreateChangeSet',
  'ExecuteChangeSet',
  'ContinueUpdateRollback',
  'RollbackStack',
] as const;

const OPERATIONS: ReadonlySet<string> = new Set(STACK_OPERATION_EVENTS);

/**
 * Services whose CloudTrail records carry `us-east-1` whatever region the stack is in, so their writes
 * match a stack operation of any region of the account.
 */
const GLOBAL_SOURCES: ReadonlySet<string> = new Set([
  'iam.amazonaws.com',
  'organizations.amazonaws.com',
  'route53.amazonaws.com',
  'cloudfront.amazonaws.com',
  'sts.amazonaws.com',
]);

/** A stack operation as its record states it; `role` only when the record names one. */
export interface StackOperationCall {
  stack: string;
  account: string;
  region?: string;
  /** `roleARN` of the request; undefined when the operation uses the role the stack already has. */
  role?: RoleRef;
  /** A change set created, not executed: it fixes the stack's role but writes nothing yet. */
  createsChangeSet: boolean;
}

/** The stack name whether the request gave a name or an ARN (`arn:…:stack/<name>/<id>`). */
function stackNameOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = /^arn:[^:]*:cloudformation:[^:]*:[^:]*:stack\/([^/]+)\//.exec(value);
  return match ? match[1] : value;
}

/** The stack operation a successful CloudFormation call started; undefined for anything else. */
export function stackOperationOf(event: NormalizedEvent): StackOperationCall | undefined {
  if (event.source !== CLOUDFORMATION || !OPERATIONS.has(event.name) || event.outcome !== 'success')
    return undefined;
  const request = event.requestParameters;
  const stack = stackNameOf(stringAt(request, 'stackName'));
  if (stack === undefined || event.account === undefined) return undefined;
  return {
    stack,
    account: event.account,
    region: event.region,
    role: parseRoleArn(stringAt(request, 'roleARN')),
    createsChangeSet: event.name === 'CreateChangeSet',
  };
}

/** True when CloudFormation made this call with a role session (a service role, or a forward session). */
export function isCloudFormationCall(event: NormalizedEvent): boolean {
  return event.invokedBy === CLOUDFORMATION && event.actor.role !== undefined;
}

/** Whether a call in `region` by `source` can belong to an operation on a stack in `stackRegion`. */
export function regionMatches(source: string, region: string | undefined, stackRegion: string | undefined) {
  return (
    GLOBAL_SOURCES.has(source) || region === undefined || stackRegion === undefined || region === stackRegion
  );
}

/** Request fields that name the resource written; CloudFormation-generated names start `<stack>-`. */
const NAME_FIELDS = [
  'roleName',
  'userName',
  'groupName',
  'policyName',
  'instanceProfileName',
  'functionName',
  'bucketName',
  'topicName',
  'queueName',
  'tableName',
];
/** Longer names are not CloudFormation's (IAM allows 64 characters; S3, 63): not parsed. */
const MAX_NAME = 256;
const SUFFIX = /^[A-Z0-9]{12,13}$/;
const LOGICAL_ID = /^[A-Za-z0-9]+$/;

/**
 * The stack part of a name CloudFormation generated, `<stack>-<LogicalId>-<12 or 13 characters>`; split
 * by hand rather than with one regular expression, which would backtrack on long hostile names.
 */
function generatedStackPart(name: string): string | undefined {
  if (name.length > MAX_NAME) return undefined;
  const parts = name.split('-');
  if (parts.length < 3 || !SUFFIX.test(parts.pop() as string) || !LOGICAL_ID.test(parts.pop() as string))
    return undefined;
  return parts.join('-');
}

/**
 * The stack this call's record names, where it names one: the `aws:cloudformation:stack-name` tag where
 * the request carries tags (IAM resources get none), else the stack part of a generated resource name.
 * Undefined for explicitly named resources and attachments by ARN: then any operation may have made it.
 */
export function stackNamedBy(event: NormalizedEvent): string | undefined {
  const request = event.requestParameters;
  if (request === undefined) return undefined;
  for (const tag of Array.isArray(request.tags) ? request.tags : []) {
    const object = objectValue(tag);
    if (stringAt(object, 'key') === 'aws:cloudformation:stack-name') return stringAt(object, 'value');
  }
  for (const field of NAME_FIELDS) {
    const name = stringAt(request, field);
    const stack = name === undefined ? undefined : generatedStackPart(name);
    if (stack !== undefined) return stack;
  }
  return undefined;
}

/**
 * Whether `stack` is the stack a generated name's stack part names. CloudFormation cuts long stack names
 * to fit the resource's limit, so near the limit a prefix matches too.
 */
export function isNamedStack(stack: string, named: string): boolean {
  return stack === named || (named.length >= 30 && stack.startsWith(named));
}
