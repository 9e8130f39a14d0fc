import * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import type { EventPattern } from '../lib/eventbridge/event-patterns.ts';
import { READ_ONLY_RULE_STATE, type RulePlan } from '../lib/eventbridge/rule-plan.ts';

/** The CDK form of a pattern: the same JSON, with `detail-type` under the name CDK renders back. */
export function cdkPattern(pattern: EventPattern): events.EventPattern {
  const { 'detail-type': detailType, ...rest } = pattern;
  return { ...(detailType === undefined ? {} : { detailType }), ...rest } as events.EventPattern;
}

/** A rule description within EventBridge's 512 characters. */
function describe(plan: RulePlan, purpose: string): string {
  const text = `trailguard ${purpose}: CloudTrail events for ${plan.detectors.join(', ')}`;
  return text.length <= 512 ? text : `${text.slice(0, 509)}...`;
}

export interface DetectionRulesProps {
  plans: readonly RulePlan[];
  /** Default: the account's default bus. */
  eventBus?: events.IEventBus;
  /** Rule names are `<namePrefix>-1`, `-2`, … (trailguard-* names are what audit-tampering protects). */
  namePrefix: string;
  purpose: string;
  target(plan: RulePlan): events.IRuleTarget;
}

/**
 * One rule per plan (lib/eventbridge/rule-plan.ts). A plan that needs read-only management events gets
 * the state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS — the L2 Rule only knows enabled/disabled, so
 * it is set on the CfnRule — and every other rule stays plain ENABLED, so it is not sent the read-only
 * flood it has no use for.
 */
export function detectionRules(scope: Construct, id: string, props: DetectionRulesProps): events.Rule[] {
  return props.plans.map((plan, index) => {
    const rule = new events.Rule(scope, `${id}${index + 1}`, {
      ruleName: `${props.namePrefix}-${index + 1}`,
      description: describe(plan, props.purpose),
      eventBus: props.eventBus,
      eventPattern: cdkPattern(plan.pattern),
    });
    if (plan.readOnly) (rule.node.defaultChild as events.CfnRule).state = READ_ONLY_RULE_STATE;
    rule.addTarget(props.target(plan));
    return rule;
  });
}
