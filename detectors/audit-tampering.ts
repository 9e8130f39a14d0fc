import * as z from 'zod';
import { compileGlob, type Glob, matchesAny } from '../lib/config/glob.ts';
import { defineDetector, type EventNeed } from '../lib/engine/detector.ts';
import { type Severity, severityRank } from '../lib/engine/finding.ts';
import type { NormalizedEvent, Outcome } from '../lib/events/normalized-event.ts';

type Request = Record<string, unknown> | undefined;
type ListName = 'protectedLogGroups' | 'ownRules' | 'ownFunctions' | 'ownTables';
/** Severity had the call succeeded (undefined: it blinds nothing), optionally only for listed resources. */
type Rule = Severity | ((request: Request) => Severity | undefined) | { list: ListName; judge: Rule };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const has = (value: unknown, item: string) => Array.isArray(value) && value.includes(item);

/** True when some selector still records write management events (Stratus and Panther show the opposite). */
function managementWritesLogged(request: Record<string, unknown>): boolean {
  const { advancedEventSelectors: advanced, eventSelectors: basic } = request;
  if (Array.isArray(advanced) && advanced.length > 0) {
    return advanced.some((selector) => {
      const fields =
        isRecord(selector) && Array.isArray(selector.fieldSelectors) ? selector.fieldSelectors : [];
      const field = (name: string) => fields.find((f: unknown) => isRecord(f) && f.field === name) as Request;
      const readOnly = field('readOnly');
      return (
        has(field('eventCategory')?.equals, 'Management') &&
        !has(readOnly?.equals, 'true') &&
        !has(readOnly?.notEquals, 'false')
      );
    });
  }
  return (
    Array.isArray(basic) &&
    basic.some((s) => isRecord(s) && s.includeManagementEvents !== false && s.readWriteType !== 'ReadOnly')
  );
}

const SECURITY_PRINCIPALS = new Set(
  ['cloudtrail', 'guardduty', 'config', 'securityhub', 'access-analyzer'].map((s) => `${s}.amazonaws.com`),
);

/** By IAM action (the event source is `<prefix>.amazonaws.com` for all of them). */
const RULES: Readonly<Record<string, Rule>> = {
  'cloudtrail:StopLogging': 'critical',
  'cloudtrail:DeleteTrail': 'critical',
  // Can redirect delivery, drop regions or global events, or turn off log-file validation.
  'cloudtrail:UpdateTrail': 'high',
  'cloudtrail:PutEventSelectors': (request) =>
    request && managementWritesLogged(request) ? 'medium' : 'critical',
  // Insights are anomaly signals, not the record itself: clearing them is a lesser blinding.
  'cloudtrail:PutInsightSelectors': (request) => {
    const selectors = request?.insightSelectors;
    return Array.isArray(selectors) && selectors.length > 0 ? undefined : 'medium';
  },
  'cloudtrail:DeleteEventDataStore': 'critical',
  'cloudtrail:StopEventDataStoreIngestion': 'critical',
  'guardduty:DeleteDetector': 'critical',
  'guardduty:UpdateDetector': (request) =>
    request === undefined ? 'medium' : request.enable === false ? 'critical' : undefined,
  'guardduty:DisassociateFromMasterAccount': 'critical',
  'guardduty:DisassociateFromAdministratorAccount': 'critical',
  'guardduty:DeleteMembers': 'high',
  'guardduty:DisassociateMembers': 'high',
  'guardduty:StopMonitoringMembers': 'high',
  // A trusted IP list silences findings for its addresses.
  'guardduty:CreateIPSet': (request) => (request?.activate === false ? undefined : 'high'),
  'guardduty:UpdateIPSet': (request) => (request?.activate === false ? undefined : 'high'),
  'config:StopConfigurationRecorder': 'critical',
  'config:DeleteConfigurationRecorder': 'critical',
  'config:DeleteDeliveryChannel': 'critical',
  'organizations:LeaveOrganization': 'critical',
  // Disabling CloudTrail's (or GuardDuty's…) trusted access stops the organization trail in every account.
  'organizations:DisableAWSServiceAccess': (request) =>
    // typeof, not String(): String() of a deeply nested array overflows the stack.
    typeof request?.servicePrincipal === 'string' && SECURITY_PRINCIPALS.has(request.servicePrincipal)
      ? 'critical'
      : undefined,
  'securityhub:DisableSecurityHub': 'critical',
  'securityhub:DisassociateFromAdministratorAccount': 'high',
  'securityhub:DisassociateFromMasterAccount': 'high',
  'securityhub:BatchDisableStandards': 'high',
  'securityhub:DeleteMembers': 'high',
  'access-analyzer:DeleteAnalyzer': 'high',
  'ec2:DeleteFlowLogs': 'high',
  'route53resolver:DeleteResolverQueryLogConfig': 'high',
  'route53resolver:DisassociateResolverQueryLogConfig': 'high',
  'logs:DeleteLogGroup': { list: 'protectedLogGroups', judge: 'high' },
  'logs:DeleteSubscriptionFilter': { list: 'protectedLogGroups', judge: 'high' },
  'events:DeleteRule': { list: 'ownRules', judge: 'critical' },
  'events:DisableRule': { list: 'ownRules', judge: 'critical' },
  'events:RemoveTargets': { list: 'ownRules', judge: 'critical' },
  'events:PutRule': {
    list: 'ownRules',
    judge: (request) => (request?.state === 'DISABLED' ? 'critical' : 'high'),
  },
  'events:PutTargets': { list: 'ownRules', judge: 'high' },
  'lambda:DeleteFunction': { list: 'ownFunctions', judge: 'critical' },
  'lambda:UpdateFunctionCode': { list: 'ownFunctions', judge: 'critical' },
  'lambda:UpdateFunctionConfiguration': { list: 'ownFunctions', judge: 'high' },
  // Without EventBridge's invoke permission no event reaches the detector.
  'lambda:RemovePermission': { list: 'ownFunctions', judge: 'critical' },
  'lambda:PutFunctionConcurrency': {
    list: 'ownFunctions',
    judge: (request) => (request && request.reservedConcurrentExecutions !== 0 ? 'medium' : 'critical'),
  },
  'dynamodb:DeleteTable': { list: 'ownTables', judge: 'high' },
};

/** Lambda logs versioned event names. */
const LAMBDA_EVENTS: Readonly<Record<string, readonly string[]>> = {
  DeleteFunction: ['DeleteFunction20150331'],
  UpdateFunctionCode: ['UpdateFunctionCode20150331', 'UpdateFunctionCode20150331v2'],
  UpdateFunctionConfiguration: [
    'UpdateFunctionConfiguration20150331',
    'UpdateFunctionConfiguration20150331v2',
  ],
  RemovePermission: ['RemovePermission20150331', 'RemovePermission20150331v2'],
  PutFunctionConcurrency: ['PutFunctionConcurrency20171031'],
};

function needs(): EventNeed[] {
  const bySource = new Map<string, string[]>();
  for (const action of Object.keys(RULES)) {
    const [prefix = '', name = ''] = action.split(':');
    const source = `${prefix}.amazonaws.com`;
    bySource.set(source, [...(bySource.get(source) ?? []), ...(LAMBDA_EVENTS[name] ?? [name])]);
  }
  return [...bySource].map(([source, names]) => ({ source, names }));
}

// Params live as long as the config: compile each glob (list) once; config bounds the number of patterns.
const compiled = new WeakMap<readonly string[], Glob[]>();
function globs(patterns: readonly string[]): Glob[] {
  let list = compiled.get(patterns);
  if (!list) {
    list = patterns.map(compileGlob);
    compiled.set(patterns, list);
  }
  return list;
}

const single = new Map<string, Glob>();
function globOf(pattern: string): Glob {
  let glob = single.get(pattern);
  if (!glob) {
    glob = compileGlob(pattern);
    single.set(pattern, glob);
  }
  return glob;
}

/** The log group, rule, function or table acted on: from the request, else from a denial's message. */
function resourceName(event: NormalizedEvent): string | undefined {
  const request = event.requestParameters;
  const given = [
    request?.logGroupName,
    request?.name,
    request?.rule,
    request?.functionName,
    request?.tableName,
  ].find((value): value is string => typeof value === 'string');
  const value = given ?? /on resource: (\S+)/.exec(event.errorMessage ?? '')?.[1];
  if (value === undefined || value === '*') return undefined;
  const inArn = /:(?:function|log-group):([^:]+)/.exec(value)?.[1];
  return inArn ?? (value.startsWith('arn:') ? value.slice(value.lastIndexOf('/') + 1) : value);
}

function judge(
  rule: Rule,
  event: NormalizedEvent,
  lists: Record<ListName, readonly string[]>,
): Severity | undefined {
  if (typeof rule === 'string') return rule;
  if (typeof rule === 'function') return rule(event.requestParameters);
  const name = resourceName(event);
  return name !== undefined && matchesAny(globs(lists[rule.list]), name)
    ? judge(rule.judge, event, lists)
    : undefined;
}

/** Request fields naming what was stopped, for calls that are not about a listed resource. */
const TARGET_FIELDS = [
  ...['trailName', 'detectorId', 'configurationRecorderName', 'deliveryChannelName', 'analyzerName'],
  ...['resolverQueryLogConfigId', 'eventDataStore', 'servicePrincipal', 'ipSetId'],
];

/** A denied attempt changed nothing; a failed one (TrailNotFoundException…) had the permission but missed. */
const CEILING: Readonly<Record<Outcome, Severity>> = { success: 'critical', denied: 'high', error: 'medium' };
const OWN_DEFAULT = ['trailguard-*', 'Trailguard*'];
const globList = (description: string, defaults: string[]) =>
  z.array(z.string().min(1)).default(defaults).meta({ description });

export const auditTampering = defineDetector({
  kind: 'event',
  id: 'audit-tampering',
  title: 'Audit trail stopped or blinded',
  description:
    "Any principal stopping, deleting or narrowing CloudTrail, GuardDuty, Config, Security Hub, Access Analyzer, flow or DNS query logs, protected log groups, or trailguard's own rules, functions and tables; succeeded, denied or failed.",
  severity: 'critical',
  runbook: [
    '1. Undo it now: `aws cloudtrail start-logging --name <trail>` / re-create the trail, detector, recorder, rule or function named in the summary (details.request has the parameters).',
    '2. Trace the caller: `trailguard query session --access-key-id <details.accessKeyId>`; while logging was off, fall back to CloudTrail event history (90 days) for the gap.',
    '3. If the caller is not the team that manages the audit stack, treat the credentials as compromised: revoke the role sessions / deactivate the key, and review what else it did.',
    '4. Denied or failed attempts are still attempts: find who holds these credentials and why they tried; add an SCP denying the action if none exists.',
    '5. If this was planned (e.g. the Terraform role managing trails), add `{ principal, action }` to `detectors.audit-tampering.allow`.',
  ].join('\n'),
  needs: needs(),
  params: z.object({
    protectedLogGroups: globList(
      'Log groups whose deletion or subscription removal blinds the audit trail.',
      ['*cloudtrail*', '*CloudTrail*', '*Cloudtrail*', '/aws/lambda/trailguard-*'],
    ),
    ownRules: globList("trailguard's own EventBridge rule names.", OWN_DEFAULT),
    ownFunctions: globList("trailguard's own Lambda function names.", OWN_DEFAULT),
    ownTables: globList("trailguard's own DynamoDB tables.", OWN_DEFAULT),
    allow: z
      .array(
        z
          .strictObject({ principal: z.string().min(1).optional(), action: z.string().min(1).optional() })
          .refine(
            (entry) => entry.principal || entry.action,
            'an allow entry needs a principal or an action',
          ),
      )
      .default([])
      .meta({
        description:
          'Expected changes: globs over the principal ARN and the action (e.g. cloudtrail:UpdateTrail).',
      }),
  }),
  evaluate(event, { params }) {
    const rule = RULES[event.action];
    const base = rule === undefined ? undefined : judge(rule, event, params);
    if (base === undefined || !event.source.endsWith('.amazonaws.com')) return undefined;
    const { actor } = event;
    const principals = [actor.arn, actor.role?.canonicalArn, actor.sessionArn, actor.key];
    const allowed = params.allow.some(
      (entry) =>
        (!entry.principal ||
          principals.some((p) => p !== undefined && globOf(entry.principal ?? '').matches(p))) &&
        (!entry.action || globOf(entry.action).matches(event.action)),
    );
    if (allowed) return undefined;
    const ceiling = CEILING[event.outcome];
    const severity = severityRank(base) > severityRank(ceiling) ? ceiling : base;
    const request = event.requestParameters;
    const field = TARGET_FIELDS.find((name) => typeof request?.[name] === 'string');
    const target = resourceName(event) ?? (field && String(request?.[field]));
    const logged =
      event.action === 'cloudtrail:PutEventSelectors' && request
        ? managementWritesLogged(request)
        : undefined;
    const effect =
      logged === undefined
        ? ''
        : logged
          ? ' (management writes still logged)'
          : ' (management writes no longer logged)';
    return {
      severity,
      summary: `${event.action}${target ? ` on ${String(target)}` : ''} by ${actor.key}${effect} [${event.outcome}${event.errorCode ? ` ${event.errorCode}` : ''}]`,
      principal: actor.arn ?? actor.key,
      details: {
        action: event.action,
        target,
        outcome: event.outcome,
        errorCode: event.errorCode,
        errorMessage: event.errorMessage,
        managementWritesLogged: logged,
        request,
        accessKeyId: event.credential.accessKeyId,
        sourceIp: event.sourceIp,
        userAgent: event.userAgent,
      },
    };
  },
});
