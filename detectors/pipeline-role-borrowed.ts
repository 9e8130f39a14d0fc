import * as z from 'zod';
import { defineDetector } from '../lib/engine/detector.ts';
import type { Severity } from '../lib/engine/finding.ts';
import type { NormalizedEvent, RoleRef } from '../lib/events/normalized-event.ts';
import { nonEmptyString, objectAt, stringAt } from '../lib/events/record-fields.ts';
import { matchesAny } from '../lib/glob/glob.ts';
import { parseAssumedRoleArn, parseRoleArn } from '../lib/identity/arn.ts';
import type { Pipeline } from '../lib/inventory/inventory.ts';
import { describeChain } from '../lib/lineage/attribution.ts';

/**
 * A pipeline role entered some other way than its pipeline's OIDC token: one role per pipeline, assumable
 * only by its repository, is the pattern; a human's SSO role, another workload or another pipeline
 * assuming it borrows the pipeline's permissions (and its place in every allow-list).
 */

const STS = 'sts.amazonaws.com';
/** Denied assumptions drop `requestParameters`; the role is named at the end of the error message. */
const ON_RESOURCE = ' on resource: ';

/** The role an assumption was for, succeeded or not. */
function targetRole(event: NormalizedEvent): RoleRef | undefined {
  const assumed = parseAssumedRoleArn(stringAt(objectAt(event.responseElements, 'assumedRoleUser'), 'arn'));
  if (assumed) return assumed.role;
  const requested = parseRoleArn(stringAt(event.requestParameters, 'roleArn'));
  if (requested) return requested;
  const message = event.errorMessage;
  const at = message?.lastIndexOf(ON_RESOURCE) ?? -1;
  return message && at >= 0 ? parseRoleArn(message.slice(at + ON_RESOURCE.length).trim()) : undefined;
}

/** The ARNs `assumableBy` is matched against: the role both with and without its path, or the user. */
function callerArns(event: NormalizedEvent): string[] {
  const { actor } = event;
  if (actor.role) return [actor.role.canonicalArn, actor.role.arn];
  return actor.arn ? [actor.arn] : [];
}

/** True when the inventory allows this caller to assume the pipeline's role. */
function isAllowed(pipeline: Pipeline, event: NormalizedEvent): boolean {
  const allowed = pipeline.assumableBy ?? [];
  const arns = callerArns(event);
  if (arns.some((arn) => matchesAny(allowed, arn))) return true;
  // The role owner's copy of a cross-account assumption names only the caller's account: it passes when
  // some allowed principal is in that account (the caller's own copy, where forwarded, names the role).
  const account = event.actor.accountId;
  return (
    event.actor.type === 'AWSAccount' &&
    account !== undefined &&
    allowed.some((glob) => glob.pattern.split(':')[4] === account)
  );
}

function severityOf(event: NormalizedEvent, pipeline: Pipeline): Severity {
  if (event.outcome !== 'success') return 'medium';
  return pipeline.prod ? 'critical' : 'high';
}

export const pipelineRoleBorrowed = defineDetector({
  kind: 'event',
  id: 'pipeline-role-borrowed',
  title: 'Pipeline role assumed by someone other than its pipeline',
  description:
    'sts:AssumeRole (or AssumeRoleWithSAML) into an inventory pipeline role by a principal its `assumableBy` does not list; a pipeline with an `oidc` block and no `assumableBy` expects only its OIDC token. A human or another workload borrowing a deploy role. Critical for production when it succeeded; denied attempts are medium.',
  severity: 'critical',
  runbook: [
    "1. Who: details.caller and details.callerChain name the principal and where its credentials came from (an SSO user, another pipeline's run, a workload). Ask them.",
    '2. If it succeeded, list what the borrowed session did: `trailguard query session --access-key-id <details.issuedAccessKeyId>`; undo what it changed.',
    "3. Tighten the role's trust policy to the pipeline's OIDC provider and subject only (remove account-root and role principals, or add conditions).",
    '4. If this principal may legitimately assume the role (a break-glass role, a chained CDK deployment), add it to `pipelines[].assumableBy` in trailguard.yaml.',
  ].join('\n'),
  needs: [
    { source: STS, names: ['AssumeRole', 'AssumeRoleWithSAML'], readOnly: true, notByAwsService: true },
  ],
  params: z.object({}),
  usesLineage: true,
  evaluate(event, { inventory }) {
    if (event.source !== STS || (event.name !== 'AssumeRole' && event.name !== 'AssumeRoleWithSAML'))
      return undefined;
    // AWS services assume roles on their own behalf (CloudFormation, Lambda, CodeBuild): not a borrower.
    if (event.actor.type === 'AWSService') return undefined;
    const role = targetRole(event);
    const pipeline = inventory.findByRole(role);
    if (role === undefined || pipeline === undefined) return undefined;
    // Without `oidc` nor `assumableBy` the inventory does not say how the role is entered.
    if (pipeline.oidc === undefined && pipeline.assumableBy === undefined) return undefined;
    if (isAllowed(pipeline, event)) return undefined;
    const caller = event.actor.arn ?? event.actor.role?.canonicalArn ?? event.actor.key;
    const chain = event.lineage?.[0];
    const via = chain ? ` (credentials from ${describeChain(chain)})` : '';
    const verb = event.outcome === 'success' ? 'assumed' : 'tried to assume';
    const shared = nonEmptyString(event.raw.sharedEventID);
    return {
      severity: severityOf(event, pipeline),
      summary: `${caller}${via} ${verb} the role of pipeline ${pipeline.name}${pipeline.environment ? `/${pipeline.environment}` : ''} with ${event.name}, which the inventory allows only ${pipeline.assumableBy ? 'for the principals in assumableBy' : 'through its OIDC token'} [${event.outcome}${event.errorCode ? ` ${event.errorCode}` : ''}]`,
      principal: role.arn,
      pipeline: pipeline.name,
      environment: pipeline.environment,
      // Both accounts log a cross-account assumption (same sharedEventID): one finding for the pair.
      key: shared === undefined ? undefined : `shared:${shared}`,
      details: {
        caller,
        callerType: event.actor.type,
        callerChain: chain ? describeChain(chain) : undefined,
        lineage: event.lineage,
        sessionName: stringAt(event.requestParameters, 'roleSessionName'),
        issuedAccessKeyId: stringAt(objectAt(event.responseElements, 'credentials'), 'accessKeyId'),
        outcome: event.outcome,
        errorCode: event.errorCode,
        sourceIp: event.sourceIp,
        userAgent: event.userAgent,
      },
    };
  },
});
