import * as z from 'zod';
import { defineDetector } from '../../lib/engine/detector.ts';
import { type Severity, severityRank } from '../../lib/engine/finding.ts';
import type { Outcome } from '../../lib/events/normalized-event.ts';
import { allowList, isAllowed } from './allow-list.ts';
import { managementWritesLogged } from './event-selectors.ts';
import { judgeRule } from './judge-rule.ts';
import { targetOf } from './resource-name.ts';
import { RULES, ruleNeeds } from './rules.ts';

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
  needs: ruleNeeds(),
  params: z.object({
    protectedLogGroups: globList(
      'Log groups whose deletion or subscription removal blinds the audit trail.',
      ['*cloudtrail*', '*CloudTrail*', '*Cloudtrail*', '/aws/lambda/trailguard-*'],
    ),
    ownRules: globList("trailguard's own EventBridge rule names.", OWN_DEFAULT),
    ownFunctions: globList("trailguard's own Lambda function names.", OWN_DEFAULT),
    ownTables: globList("trailguard's own DynamoDB tables.", OWN_DEFAULT),
    allow: allowList,
  }),
  evaluate(event, { params }) {
    const rule = RULES[event.action];
    const base = rule === undefined ? undefined : judgeRule(rule, event, params);
    if (base === undefined || !event.source.endsWith('.amazonaws.com')) return undefined;
    if (isAllowed(params.allow, event)) return undefined;
    const { actor } = event;
    const ceiling = CEILING[event.outcome];
    const severity = severityRank(base) > severityRank(ceiling) ? ceiling : base;
    const request = event.requestParameters;
    const target = targetOf(event);
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
