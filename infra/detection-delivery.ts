import { Duration } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { OperationalAlarms } from './alarms.ts';
import type { HandlerFile, HandlerFunction } from './handler-function.ts';
import { encryptedQueue } from './queues.ts';

/** `direct`: rules invoke the detection function per event; `queue`: rules fill an SQS buffer it drains in batches. */
export type Delivery = 'direct' | 'queue';

/** Makes one handler function with the stack's environment, grants and alarms. */
export type MakeFunction = (
  id: string,
  handler: HandlerFile,
  functionName: string,
  sizing: { description: string; memorySize: number; timeout: Duration },
) => HandlerFunction;

export interface DetectionDeliveryProps {
  delivery: Delivery;
  name: string;
  makeFunction: MakeFunction;
  /** Where EventBridge puts events it could not deliver to the target. */
  deadLetters: sqs.IQueue;
  onFailure: lambda.IDestination;
  alarms: OperationalAlarms;
}

const BATCH_TIMEOUT = Duration.minutes(5);

/**
 * The detection function and the rule target that feeds it. Direct: EventBridge invokes it
 * asynchronously per event (its retries, then the on-failure destination). Queue: EventBridge sends to an
 * SQS buffer, drained in batches of up to 500 (10-second window) with failures reported per message and a
 * redrive queue after 5 receives. Either way the rule target retries for 24 hours, then dead-letters.
 */
export function detectionDelivery(
  scope: Construct,
  props: DetectionDeliveryProps,
): { fn: lambda.IFunction; target: () => events.IRuleTarget; buffer?: sqs.Queue } {
  const { name, makeFunction, alarms } = props;
  const targetRetry = {
    deadLetterQueue: props.deadLetters,
    retryAttempts: 185,
    maxEventAge: Duration.hours(24),
  };
  if (props.delivery === 'direct') {
    const fn = makeFunction('Detect', 'eventbridge', `${name}-detect`, {
      description: 'trailguard: judges one CloudTrail event from the trailguard bus',
      memorySize: 512,
      timeout: Duration.seconds(90),
    }).function;
    fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: props.onFailure });
    return { fn, target: () => new targets.LambdaFunction(fn, targetRetry) };
  }
  const bufferDeadLetters = encryptedQueue(scope, 'BufferDeadLetters', { queueName: `${name}-buffer-dlq` });
  const buffer = encryptedQueue(scope, 'Buffer', {
    queueName: `${name}-buffer`,
    // AWS's advice for an SQS event source: six times the function timeout, so retries never overlap.
    visibilityTimeout: Duration.seconds(BATCH_TIMEOUT.toSeconds() * 6),
    retentionPeriod: Duration.days(4),
    deadLetterQueue: { queue: bufferDeadLetters, maxReceiveCount: 5 },
  });
  const fn = makeFunction('DetectBatch', 'sqs-batch', `${name}-detect-batch`, {
    description: 'trailguard: judges batches of CloudTrail events from the SQS buffer',
    memorySize: 1024,
    timeout: BATCH_TIMEOUT,
  }).function;
  fn.addEventSource(
    new SqsEventSource(buffer, {
      batchSize: 500,
      maxBatchingWindow: Duration.seconds(10),
      reportBatchItemFailures: true,
    }),
  );
  alarms.forDeadLetters(
    'BufferDeadLettersAlarm',
    bufferDeadLetters,
    `${name}-buffer-dlq`,
    'events that failed five times',
  );
  alarms.forBufferAge('BufferAgeAlarm', buffer, `${name}-buffer-age`, Duration.minutes(15));
  return { fn, target: () => new targets.SqsQueue(buffer, targetRetry), buffer };
}
