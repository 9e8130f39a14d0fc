import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * The alarms that say trailguard is blind or failing, each notifying `topic` when given: function errors
 * and throttles, dead letters waiting, rules whose deliveries failed for good, a backed-up buffer. Any one
 * of them firing means events went unjudged, so each alarms on the first occurrence.
 */
export class OperationalAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly #topic?: sns.ITopic;
  readonly #prefix: string;

  constructor(scope: Construct, id: string, props: { topic?: sns.ITopic; namePrefix: string }) {
    super(scope, id);
    this.#topic = props.topic;
    this.#prefix = props.namePrefix;
  }

  #add(id: string, name: string, description: string, metric: cloudwatch.IMetric, threshold = 1): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `${this.#prefix}-${name}`,
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // Errors, throttles and failed invocations are only reported when they happen.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (this.#topic) alarm.addAlarmAction(new actions.SnsAction(this.#topic));
    this.alarms.push(alarm);
  }

  forFunction(id: string, fn: lambda.IFunction, name: string): void {
    const period = Duration.minutes(5);
    this.#add(`${id}Errors`, `${name}-errors`, `${name}: invocations failed`, fn.metricErrors({ period }));
    this.#add(
      `${id}Throttles`,
      `${name}-throttles`,
      `${name}: invocations throttled`,
      fn.metricThrottles({ period }),
    );
  }

  forDeadLetters(id: string, queue: sqs.IQueue, name: string, what: string): void {
    const metric = queue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(5),
      statistic: 'Maximum',
    });
    this.#add(id, name, `${what} are waiting in ${name}: inspect and redrive them`, metric);
  }

  forBufferAge(id: string, queue: sqs.IQueue, name: string, maxAge: Duration): void {
    const metric = queue.metricApproximateAgeOfOldestMessage({
      period: Duration.minutes(5),
      statistic: 'Maximum',
    });
    this.#add(
      id,
      name,
      `events wait over ${maxAge.toMinutes()} minutes in ${name}`,
      metric,
      maxAge.toSeconds(),
    );
  }

  /** FailedInvocations of a rule; rules on a custom bus report it by bus and rule name. */
  forRule(id: string, rule: events.IRule, name: string, eventBus?: events.IEventBus): void {
    const dimensionsMap: Record<string, string> = { RuleName: rule.ruleName };
    if (eventBus) dimensionsMap.EventBusName = eventBus.eventBusName;
    const metric = new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'FailedInvocations',
      dimensionsMap,
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
    this.#add(id, `${name}-failed`, `rule ${name} could not deliver events to its target`, metric);
  }
}
