import { Aws, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { PUBLISH_KEY_ACTIONS } from './alert-key.ts';

/**
 * The DynamoDB calls the handlers make on the state table, and nothing else: counters (UpdateItem with
 * ADD, Query), claims (UpdateItem, GetItem), remembered values (BatchWriteItem, BatchGetItem), and the
 * alert outbox (TransactWriteItems of Put/Update/Delete, which IAM authorizes as those three, plus
 * Query, GetItem, UpdateItem). No Scan, no table administration.
 */
export const STATE_TABLE_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
];

export function grantStateTable(role: iam.IRole, tableArn: string): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: STATE_TABLE_ACTIONS, resources: [tableArn] }));
}

/** Publishing findings: to each topic the config may route to, with the stack's topic key. */
export function grantPublish(role: iam.IRole, topicArns: readonly string[], keyArn: string): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [...topicArns] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: PUBLISH_KEY_ACTIONS, resources: [keyArn] }));
}

/** Reading the Slack token: the secret's value and nothing else in Secrets Manager. */
export function grantReadSecret(role: iam.IRole, secretArn: string): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] }),
  );
}

/**
 * Logs Insights over the trail's log group for the digest. StartQuery is granted on that log group (its
 * ARN with the `:*` CloudWatch Logs uses in IAM); GetQueryResults and StopQuery take a query id and support
 * no resource in IAM, so they need `*`. Both are acknowledged to cdk-nag with those reasons.
 */
export function grantLogsInsights(scope: Construct, role: iam.Role, logGroupName: string): void {
  const stack = Stack.of(scope);
  const logGroupArn = `arn:${Aws.PARTITION}:logs:${stack.region}:${stack.account}:log-group:${logGroupName}:*`;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['logs:StartQuery'], resources: [logGroupArn] }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['logs:GetQueryResults', 'logs:StopQuery'], resources: ['*'] }),
  );
  // cdk-nag names each wildcard resource as it renders it: unresolved region and account as <AWS::…>.
  const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  const nagArn = `arn:<AWS::Partition>:logs:${shown(stack.region, 'Region')}:${shown(stack.account, 'AccountId')}:log-group:${logGroupName}:*`;
  Validations.of(role).acknowledge(
    {
      id: `AwsSolutions-IAM5[Resource::${nagArn}]`,
      reason:
        "The ARN of exactly one log group (the trail's), in the `:*` form CloudWatch Logs uses in IAM for StartQuery.",
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'logs:GetQueryResults and logs:StopQuery act on a query id and support no resource-level permissions.',
    },
  );
}
