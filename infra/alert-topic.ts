import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { alertKey } from './alert-key.ts';

/**
 * The topic findings and operational alarms go to: encrypted with its own key, TLS only, with the
 * deployer's email subscribers (each confirms by mail before anything reaches it).
 */
export function alertTopic(
  scope: Construct,
  name: string,
  emails: readonly string[],
): { key: kms.Key; topic: sns.Topic } {
  const key = alertKey(scope, 'AlertKey', `alias/${name}-alerts`);
  const topic = new sns.Topic(scope, 'Alerts', {
    topicName: `${name}-alerts`,
    displayName: 'trailguard',
    masterKey: key,
    enforceSSL: true,
  });
  for (const email of emails) topic.addSubscription(new subscriptions.EmailSubscription(email));
  return { key, topic };
}
