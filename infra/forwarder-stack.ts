import { Arn, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import type { RulePlan } from '../lib/eventbridge/rule-plan.ts';
import { OperationalAlarms } from './alarms.ts';
import { detectionRules } from './detection-rules.ts';
import { encryptedQueue } from './queues.ts';

export interface ForwarderStackProps extends StackProps {
  /** The same plans the central stack's rules use (the same config and detectors). */
  plans: readonly RulePlan[];
  /** The central bus's name (`trailguard`). */
  busName: string;
  /** Default: this stack's own account (the forwarder in the central account). */
  centralAccount?: string;
  centralRegion: string;
}

/**
 * Forwards the CloudTrail events trailguard needs from this account and region's default bus, where
 * CloudTrail delivers them, to the central bus. Deploy it in every account and every region trailguard
 * watches — us-east-1 always, since IAM (and global STS) events only arrive there; STS events from
 * regional endpoints arrive in the region called, so every region CI runs in. Only matching events are
 * forwarded (and billed); read-only events need their rule in ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
 * here as well. Events that cannot be put on the central bus wait in an encrypted dead-letter queue.
 */
export class ForwarderStack extends Stack {
  readonly rules: events.Rule[];
  readonly centralBusArn: string;

  constructor(scope: Construct, id: string, props: ForwarderStackProps) {
    super(scope, id, props);
    this.centralBusArn = Arn.format(
      {
        service: 'events',
        region: props.centralRegion,
        account: props.centralAccount ?? this.account,
        resource: 'event-bus',
        resourceName: props.busName,
      },
      this,
    );
    const centralBus = events.EventBus.fromEventBusArn(this, 'CentralBus', this.centralBusArn);
    const deadLetters = encryptedQueue(
      this,
      'DeadLetters',
      { queueName: `${props.busName}-forward-dlq` },
      "the forwarding rules' event-bus targets (DeadLetterConfig)",
    );
    this.rules = detectionRules(this, 'Forward', {
      plans: props.plans,
      namePrefix: `${props.busName}-forward`,
      purpose: 'forwarder',
      target: () => new targets.EventBus(centralBus, { deadLetterQueue: deadLetters }),
    });
    // No alarm action: a member account has no trailguard topic. The alarms show in each account's console
    // and in CloudWatch cross-account observability.
    const alarms = new OperationalAlarms(this, 'Alarms', { namePrefix: `${props.busName}-forward` });
    alarms.forDeadLetters(
      'DeadLettersAlarm',
      deadLetters,
      `${props.busName}-forward-dlq`,
      'events not forwarded',
    );
    this.rules.forEach((rule, index) => {
      alarms.forRule(`ForwardFailed${index + 1}`, rule, `${props.busName}-forward-${index + 1}`);
    });
    new CfnOutput(this, 'CentralBusArn', { value: this.centralBusArn });
  }
}
