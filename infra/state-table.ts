import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { tableDefinition } from '../lib/state/table-definition.ts';

const ATTRIBUTE_TYPES: Record<string, dynamodb.AttributeType> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
};

function keyAttribute(definition: ReturnType<typeof tableDefinition>, keyType: 'HASH' | 'RANGE') {
  const { KeySchema = [], AttributeDefinitions = [] } = definition.createTable;
  const name = KeySchema.find((k) => k.KeyType === keyType)?.AttributeName;
  const type = AttributeDefinitions.find((a) => a.AttributeName === name)?.AttributeType;
  const attributeType = type === undefined ? undefined : ATTRIBUTE_TYPES[type];
  if (name === undefined || attributeType === undefined) return undefined;
  return { name, type: attributeType };
}

/**
 * The state table, from the one definition `trailguard state create-table` also uses
 * (lib/state/table-definition.ts): keys, on-demand billing and TTL come from there, so the store and the
 * stack cannot drift. Adds what only a deployment wants: point-in-time recovery, encryption with the
 * AWS-managed key (`aws/dynamodb`, so key use shows in CloudTrail), and RETAIN, so deleting the stack
 * keeps open claims and undelivered alerts.
 */
export function stateTable(scope: Construct, id: string, tableName: string): dynamodb.Table {
  const definition = tableDefinition(tableName);
  const { createTable, timeToLive } = definition;
  const partitionKey = keyAttribute(definition, 'HASH');
  if (partitionKey === undefined) throw new Error('the table definition has no partition key');
  if (createTable.BillingMode !== 'PAY_PER_REQUEST')
    throw new Error(`the table definition bills ${createTable.BillingMode}; the stack only knows on-demand`);
  if (createTable.GlobalSecondaryIndexes?.length || createTable.LocalSecondaryIndexes?.length)
    throw new Error('the table definition has indexes the stack does not create');
  return new dynamodb.Table(scope, id, {
    tableName,
    partitionKey,
    sortKey: keyAttribute(definition, 'RANGE'),
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    timeToLiveAttribute: timeToLive.Enabled ? timeToLive.AttributeName : undefined,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}
