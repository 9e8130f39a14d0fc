import { Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * An SQS queue as every trailguard queue is: encrypted with SQS-managed keys and TLS-only. SSE-SQS rather
 * than a KMS key because EventBridge writes dead letters into these queues, and it cannot use a
 * customer-managed key unless that key's policy admits events.amazonaws.com for every rule; the messages
 * are CloudTrail events the trail already stores. Messages are kept the 14-day maximum unless `props` says.
 *
 * `lastStopFor` marks a queue that is itself where failures end up (a rule target's dead-letter queue, a
 * function's on-failure destination): cdk-nag's SQS3 only recognizes SQS redrive DLQs and asks such a
 * queue for a DLQ of its own, which would only move the same messages one queue further.
 */
export function encryptedQueue(
  scope: Construct,
  id: string,
  props: sqs.QueueProps = {},
  lastStopFor?: string,
): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    retentionPeriod: Duration.days(14),
    ...props,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  if (lastStopFor !== undefined) {
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `This queue is the dead-letter destination of ${lastStopFor}; a DLQ of a DLQ would only move the same messages one queue further. Its depth is alarmed.`,
    });
  }
  return queue;
}
