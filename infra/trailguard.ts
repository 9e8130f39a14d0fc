import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { detectors as allDetectors } from '../detectors/index.ts';
import type { ResolvedConfig } from '../lib/config/resolved-config.ts';
import type { Detector } from '../lib/engine/detector.ts';
import { planRules, type RulePlan } from '../lib/eventbridge/rule-plan.ts';
import { configuredTopicArns, usesSlack, withDeployedSinks } from '../lib/runtime/deployed-sinks.ts';
import { ENV } from '../lib/runtime/environment.ts';
import { OperationalAlarms } from './alarms.ts';
import { alertTopic } from './alert-topic.ts';
import { type Delivery, detectionDelivery, type MakeFunction } from './detection-delivery.ts';
import { detectionRules } from './detection-rules.ts';
import { HandlerFunction } from './handler-function.ts';
import { grantLogsInsights, grantPublish, grantReadSecret, grantStateTable } from './permissions.ts';
import { encryptedQueue } from './queues.ts';
import { schedules } from './schedules.ts';
import { slackTokenSecret } from './slack-token-secret.ts';
import { stateTable } from './state-table.ts';

export type { Delivery } from './detection-delivery.ts';

export interface TrailguardProps {
  /** Names the bus, table, functions, rules and alarms; `trailguard-*` is what audit-tampering protects. */
  name?: string;
  /** The validated config (decides which detectors run, hence the rules). */
  config: ResolvedConfig;
  /** The file `config` came from, bundled with the functions; none: they run with the defaults. */
  configFile?: string;
  detectors?: readonly Detector[];
  /** Admits the organization's accounts to the bus (`aws:PrincipalOrgID`); none: only this account. */
  organizationId?: string;
  /** Fills in `alerts.slack.channel` when the config has none. */
  slackChannel?: string;
  /** An existing secret with the Slack bot token; default: one is created with a placeholder to replace. */
  slackTokenSecret?: secretsmanager.ISecret;
  /** Email addresses subscribed to the alert topic (findings and operational alarms). */
  alertEmails?: readonly string[];
  /** Default `direct`; `queue` for accounts whose event rate makes per-event invocations costly. */
  delivery?: Delivery;
  /** Default one year. */
  logRetention?: logs.RetentionDays;
  /** The CloudWatch log group the trail delivers to: enables the weekly AccessDenied digest. */
  digestLogGroup?: string;
  /** How often pending alerts are retried; default 5 minutes. */
  flushInterval?: Duration;
}

/**
 * trailguard in one account and region: the central event bus the forwarders send to, rules generated
 * from the detectors' needs, the detection function (per event, or batched through SQS), the scheduled
 * function that retries pending alerts and posts the digest, the state table, the encrypted alert topic,
 * the Slack token secret, dead-letter queues on every rule target and async invocation, and the alarms
 * that say when any of it stops judging events.
 */
export class Trailguard extends Construct {
  readonly name: string;
  readonly bus: events.EventBus;
  readonly table: dynamodb.Table;
  readonly topic: sns.Topic;
  readonly key: kms.Key;
  readonly slackTokenSecret?: secretsmanager.ISecret;
  readonly plans: readonly RulePlan[];
  readonly rules: events.Rule[];
  readonly detectFunction: lambda.IFunction;
  readonly scheduledFunction: lambda.IFunction;
  /** The SQS buffer in `queue` delivery. */
  readonly buffer?: sqs.Queue;
  /** Events EventBridge could not deliver to a target. */
  readonly deliveryDeadLetters: sqs.Queue;
  /** Async invocations that failed after Lambda's retries (the on-failure destination). */
  readonly failedInvocations: sqs.Queue;
  readonly alarms: OperationalAlarms;

  constructor(scope: Construct, id: string, props: TrailguardProps) {
    super(scope, id);
    const name = props.name ?? 'trailguard';
    this.name = name;
    const fileSlack = props.config.alerts.slack?.channel;
    if (props.slackChannel !== undefined && fileSlack !== undefined && fileSlack !== props.slackChannel) {
      throw new Error(
        `Slack channel ${props.slackChannel} given at deploy time, but ${props.config.origin} sets alerts.slack.channel ${fileSlack}: keep one`,
      );
    }
    ({ key: this.key, topic: this.topic } = alertTopic(this, name, props.alertEmails ?? []));
    this.table = stateTable(this, 'State', `${name}-state`);
    const config = withDeployedSinks(props.config, {
      slackChannel: props.slackChannel,
      topicArn: this.topic.topicArn,
    });
    if (usesSlack(config)) this.slackTokenSecret = props.slackTokenSecret ?? slackTokenSecret(this, name);

    this.alarms = new OperationalAlarms(this, 'Alarms', { topic: this.topic, namePrefix: name });
    this.deliveryDeadLetters = encryptedQueue(
      this,
      'DeliveryDeadLetters',
      { queueName: `${name}-delivery-dlq` },
      'the EventBridge rule targets (DeadLetterConfig)',
    );
    this.failedInvocations = encryptedQueue(
      this,
      'FailedInvocations',
      { queueName: `${name}-failed-invocations` },
      'the asynchronously invoked functions (on-failure destination)',
    );
    this.alarms.forDeadLetters(
      'DeliveryDeadLettersAlarm',
      this.deliveryDeadLetters,
      `${name}-delivery-dlq`,
      'events EventBridge could not deliver',
    );
    this.alarms.forDeadLetters(
      'FailedInvocationsAlarm',
      this.failedInvocations,
      `${name}-failed-invocations`,
      'invocations that failed after retries',
    );
    const onFailure = new destinations.SqsDestination(this.failedInvocations);

    const environment: Record<string, string> = {
      [ENV.table]: this.table.tableName,
      [ENV.topicArn]: this.topic.topicArn,
    };
    if (this.slackTokenSecret) environment[ENV.slackSecretArn] = this.slackTokenSecret.secretArn;
    if (props.slackChannel) environment[ENV.slackChannel] = props.slackChannel;
    if (props.digestLogGroup) environment[ENV.digestLogGroup] = props.digestLogGroup;
    const makeFunction: MakeFunction = (fnId, handler, functionName, sizing) => {
      const made = new HandlerFunction(this, fnId, {
        handler,
        functionName,
        environment,
        configFile: props.configFile,
        logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
        ...sizing,
      });
      grantStateTable(made.role, this.table.tableArn);
      grantPublish(made.role, configuredTopicArns(config), this.key.keyArn);
      if (this.slackTokenSecret) grantReadSecret(made.role, this.slackTokenSecret.secretArn);
      this.alarms.forFunction(fnId, made.function, functionName);
      return made;
    };

    const detection = detectionDelivery(this, {
      delivery: props.delivery ?? 'direct',
      name,
      makeFunction,
      deadLetters: this.deliveryDeadLetters,
      onFailure,
      alarms: this.alarms,
    });
    this.detectFunction = detection.fn;
    this.buffer = detection.buffer;

    const scheduled = makeFunction('Scheduled', 'scheduled', `${name}-scheduled`, {
      description: 'trailguard: retries pending alerts; posts the weekly AccessDenied digest',
      memorySize: 512,
      timeout: Duration.minutes(14),
    });
    scheduled.function.configureAsyncInvoke({ retryAttempts: 1, maxEventAge: Duration.hours(1), onFailure });
    if (props.digestLogGroup) grantLogsInsights(this, scheduled.role, props.digestLogGroup);
    this.scheduledFunction = scheduled.function;
    schedules(this, {
      name,
      fn: scheduled.function,
      deadLetters: this.deliveryDeadLetters,
      alarms: this.alarms,
      flushInterval: props.flushInterval ?? Duration.minutes(5),
      digest: props.digestLogGroup !== undefined,
    });

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: name });
    if (props.organizationId !== undefined) {
      this.bus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OrganizationForwardersPutEvents',
          principals: [new iam.AnyPrincipal()],
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
          conditions: { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } },
        }),
      );
    }
    this.plans = planRules(props.detectors ?? allDetectors, props.config);
    this.rules = detectionRules(this, 'Detection', {
      plans: this.plans,
      eventBus: this.bus,
      namePrefix: `${name}-detect`,
      purpose: 'detection',
      target: detection.target,
    });
    this.rules.forEach((rule, index) => {
      this.alarms.forRule(`DetectionFailed${index + 1}`, rule, `${name}-detect-${index + 1}`, this.bus);
    });
  }
}
