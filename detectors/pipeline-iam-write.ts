import * as z from 'zod';
import { defineDetector, type EventNeed } from '../lib/engine/detector.ts';
import { actionOf } from '../lib/events/event-action.ts';
import type { NormalizedEvent } from '../lib/events/normalized-event.ts';
import { compiledGlobs, matchesAny } from '../lib/glob/glob.ts';
import type { Pipeline } from '../lib/inventory/inventory.ts';
import { type Attribution, attributionsOf, describeChain } from '../lib/lineage/attribution.ts';

/**
 * Permission-changing calls outside IAM, by event source (exact CloudTrail names; none = every write).
 * Resource policies are kept to those that grant other principals access; Lambda names carry API versions.
 */
const EXTRA_EVENTS: Readonly<Record<string, readonly string[]>> = {
  'organizations.amazonaws.com': [],
  'sso.amazonaws.com': [
    ...['Create', 'Update', 'Delete', 'Provision'].map((verb) => `${verb}PermissionSet`),
    ...[
      'AttachManagedPolicyTo',
      'DetachManagedPolicyFrom',
      'PutInlinePolicyTo',
      'DeleteInlinePolicyFrom',
    ].map((verb) => `${verb}PermissionSet`),
    'AttachCustomerManagedPolicyReferenceToPermissionSet',
    'DetachCustomerManagedPolicyReferenceFromPermissionSet',
    'PutPermissionsBoundaryToPermissionSet',
    'DeletePermissionsBoundaryFromPermissionSet',
    'CreateAccountAssignment',
    'DeleteAccountAssignment',
  ],
  'kms.amazonaws.com': ['PutKeyPolicy', 'CreateGrant'],
  's3.amazonaws.com': ['PutBucketPolicy', 'DeleteBucketPolicy'],
  'lambda.amazonaws.com': ['AddPermission20150331', 'AddPermission20150331v2'],
  'secretsmanager.amazonaws.com': ['PutResourcePolicy'],
  'ecr.amazonaws.com': ['SetRepositoryPolicy'],
};

const EXTRA_ACTIONS = [
  ...new Set(
    Object.entries(EXTRA_EVENTS).flatMap(([source, names]) =>
      names.length === 0 ? [actionOf(source, '*')] : names.map((name) => actionOf(source, name)),
    ),
  ),
];

/** The request fields that name what was changed, most specific first. */
const TARGET_FIELDS = [
  ...['roleName', 'userName', 'groupName', 'policyArn', 'policyName', 'instanceProfileName'],
  ...['permissionSetArn', 'keyId', 'bucketName', 'functionName', 'secretId', 'repositoryName'],
  ...['policyId', 'targetId', 'accountId'],
];

interface Params {
  extraActions: readonly string[];
  ignoreActions: readonly string[];
}

/** A permission-changing call this detector judges, whoever made it. */
function isPermissionWrite(event: NormalizedEvent, params: Params): boolean {
  if (event.readOnly) return false;
  const action = event.action.toLowerCase();
  if (event.source !== 'iam.amazonaws.com' && !matchesAny(globs(params.extraActions), action)) return false;
  if (matchesAny(globs(params.ignoreActions), action)) return false;
  // EBS, RDS & co. create grants on the caller's own resources as part of a deploy: not a choice it made.
  return !(action === 'kms:creategrant' && event.invokedBy);
}

/**
 * The service pipeline behind the call, if any: the signing role's own pipeline, else the first inventory
 * pipeline of each chain of its lineage (a chained role, a stack's service role). Chains of overlapping
 * stack operations are all kept: the finding names every one rather than guess.
 */
function servicePipelineBehind(
  signer: Pipeline | undefined,
  attributions: readonly Attribution[],
): { pipeline: Pipeline; via?: Attribution } | undefined {
  if (signer?.kind === 'service') return { pipeline: signer };
  for (const attribution of attributions) {
    if (attribution.pipeline?.kind === 'service') return { pipeline: attribution.pipeline, via: attribution };
  }
  return undefined;
}

const pipelineLabel = (pipeline: Pipeline) =>
  `${pipeline.name}${pipeline.environment ? `/${pipeline.environment}` : ''}`;

// IAM actions are case-insensitive; params live as long as the config, so each list is compiled once.
const globs = (patterns: readonly string[]) => compiledGlobs(patterns, { lowerCase: true });

export const pipelineIamWrite = defineDetector({
  kind: 'event',
  id: 'pipeline-iam-write',
  title: 'Service pipeline changed permissions',
  description:
    'A service pipeline role (deploy-only) wrote IAM, Organizations, Identity Center permission sets, key policies or resource policies. Only the platform pipeline may change permissions.',
  severity: 'critical',
  runbook: [
    '1. Trace the session: `trailguard query session --access-key-id <details.accessKeyId>` lists every call the pipeline run made.',
    '2. Success or a non-authorization error (NoSuchEntity, EntityAlreadyExists) means the role holds the permission: remove it from the service role now (or attach a boundary/SCP denying iam:*).',
    '3. Undo the change named in details.target (delete the created role/user/access key, detach the policy, restore the resource policy).',
    '4. Find the pipeline run (details.sessionName, sourceIp, time) and the commit that changed the deploy; treat the repository as compromised until explained.',
    '5. If this write is intended, move it to the platform pipeline rather than widening the service role.',
  ].join('\n'),
  needs: [
    { source: 'iam.amazonaws.com' },
    ...Object.entries(EXTRA_EVENTS).map(
      ([source, names]): EventNeed => (names.length ? { source, names } : { source }),
    ),
  ],
  params: z.object({
    extraActions: z.array(z.string().min(1)).default(EXTRA_ACTIONS).meta({
      description:
        'Action globs (`service:Action`) beyond iam:* that count as permission changes. Sources outside the default list also need the event rule widened.',
    }),
    ignoreActions: z.array(z.string().min(1)).default(['iam:CreateServiceLinkedRole']).meta({
      description:
        'Action globs never reported (service-linked roles are created as a side effect of deploys).',
    }),
  }),
  usesLineage: true,
  readsLineage: (event, { params }) => isPermissionWrite(event, params),
  reconsiderWhenLinked(event, { inventory, params }) {
    return (
      event.credential.accessKeyId?.startsWith('ASIA') === true &&
      inventory.findByRole(event.actor.role)?.kind !== 'service' &&
      isPermissionWrite(event, params)
    );
  },
  evaluate(event, { inventory, params }) {
    if (!isPermissionWrite(event, params)) return undefined;
    const signer = inventory.findByRole(event.actor.role);
    const attributions = attributionsOf(event, inventory);
    const behind = servicePipelineBehind(signer, attributions);
    if (behind === undefined) return undefined;
    const { pipeline, via } = behind;
    const request = event.requestParameters ?? {};
    const field = TARGET_FIELDS.find((name) => typeof request[name] === 'string');
    const target = field ? `${field}=${String(request[field])}` : 'unknown target';
    const denied = event.outcome === 'denied';
    // Through a chain the call's signer is some other role: show how the pipeline got there.
    const chained = via !== undefined ? ` through ${describeChain(via.chain)}` : '';
    const others = attributions.filter((a) => a !== via && via !== undefined);
    const overlap =
      others.length > 0
        ? `; one of ${attributions.length} overlapping stack operations on this service role (also ${others
            .map((a) => (a.pipeline ? `${a.pipeline.name} (${a.pipeline.kind})` : describeChain(a.chain)))
            .join(', ')})`
        : '';
    return {
      severity: denied ? 'high' : 'critical',
      summary: `Service pipeline ${pipelineLabel(pipeline)} ${denied ? 'tried' : 'called'} ${event.action} on ${target}${chained} [${event.outcome}${event.errorCode ? ` ${event.errorCode}` : ''}]${overlap}`,
      principal: event.actor.role?.arn ?? event.actor.key,
      pipeline: pipeline.name,
      environment: pipeline.environment,
      details: {
        action: event.action,
        target,
        request: Object.fromEntries(
          TARGET_FIELDS.filter((name) => name in request).map((name) => [name, request[name]]),
        ),
        outcome: event.outcome,
        errorCode: event.errorCode,
        errorMessage: event.errorMessage,
        accessKeyId: event.credential.accessKeyId,
        sessionName: event.actor.sessionName,
        invokedBy: event.invokedBy,
        sourceIp: event.sourceIp,
        userAgent: event.userAgent,
        chain: via ? describeChain(via.chain) : undefined,
        lineage: attributions.length > 0 ? event.lineage : undefined,
        overlappingOperations:
          others.length > 0
            ? attributions.map((a) => ({
                pipeline: a.pipeline?.name,
                kind: a.pipeline?.kind,
                chain: describeChain(a.chain),
              }))
            : undefined,
      },
    };
  },
});
