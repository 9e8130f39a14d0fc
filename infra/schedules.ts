import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { ScheduledTask } from '../handlers/scheduled.ts';
import type { OperationalAlarms } from './alarms.ts';

export interface SchedulesProps {
  name: string;
  fn: lambda.IFunction;
  deadLetters: sqs.IQueue;
  alarms: OperationalAlarms;
  flushInterval: Duration;
  /** Whether a trail log group was deployed for the digest. */
  digest: boolean;
}

/** The scheduled function's triggers: a flush of pending alerts every `flushInterval`, the digest on Mondays. */
export function schedules(scope: Construct, props: SchedulesProps): events.Rule[] {
  const schedule = (id: string, when: events.Schedule, task: ScheduledTask['task']) => {
    const ruleName = `${props.name}-${task}`;
    const rule = new events.Rule(scope, id, {
      ruleName,
      description: `trailguard: scheduled ${task}`,
      schedule: when,
      targets: [
        new targets.LambdaFunction(props.fn, {
          event: events.RuleTargetInput.fromObject({ task } satisfies ScheduledTask),
          deadLetterQueue: props.deadLetters,
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
        }),
      ],
    });
    props.alarms.forRule(`${id}Failed`, rule, ruleName);
    return rule;
  };
  const rules = [schedule('Flush', events.Schedule.rate(props.flushInterval), 'flush')];
  if (props.digest)
    rules.push(
      schedule('Digest', events.Schedule.cron({ weekDay: 'MON', hour: '8', minute: '0' }), 'digest'),
    );
  return rules;
}
