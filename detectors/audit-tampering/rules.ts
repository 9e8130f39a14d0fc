import type { EventNeed } from '../../lib/engine/detector.ts';
import type { Severity } from '../../lib/engine/finding.ts';
import { managementWritesLogged } from './event-selectors.ts';

/** The call's request parameters, as CloudTrail recorded them. */
export type Request = Record<string, unknown> | undefined;
/** The detector parameter that lists the resources a rule is about. */
export type ListName = 'protectedLogGroups' | 'ownRules' | 'ownFunctions' | 'ownTables';
/** Severity had the call succeeded (undefined: it blinds nothing), optionally only for listed resources. */
export type Rule = Severity | ((request: Request) => Severity | undefined) | { list: ListName; judge: Rule };

const SECURITY_PRINCIPALS = new Set(
  ['cloudtrail', 'guardduty', 'config', 'securityhub', 'access-analyzer'].map((s) => `${s}.amazonaws.com`),
);

/** By IAM action (the event source is `<prefix>.amazonaws.com` for all of them). */
export const RULES: Readonly<Record<string, Rule>> = {
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
export const LAMBDA_EVENTS: Readonly<Record<string, readonly string[]>> = {
  DeleteFunction: ['DeleteFunction20150331'],
  UpdateFunctionCode: ['UpdateFunctionCode20150331', 'UpdateFunctionCode20150331v2'],
  UpdateFunctionConfiguration: [
    'UpdateFunctionConfiguration20150331',
    'UpdateFunctionConfiguration20150331v2',
  ],
  RemovePermission: ['RemovePermission20150331', 'RemovePermission20150331v2'],
  PutFunctionConcurrency: ['PutFunctionConcurrency20171031'],
};

/** The events the rules are about, by source: what the engine routes and EventBridge matches. */
export function ruleNeeds(): EventNeed[] {
  const bySource = new Map<string, string[]>();
  for (const action of Object.keys(RULES)) {
    const [prefix = '', name = ''] = action.split(':');
    const source = `${prefix}.amazonaws.com`;
    bySource.set(source, [...(bySource.get(source) ?? []), ...(LAMBDA_EVENTS[name] ?? [name])]);
  }
  return [...bySource].map(([source, names]) => ({ source, names }));
}
