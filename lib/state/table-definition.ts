import type { CreateTableCommandInput, TimeToLiveSpecification } from '@aws-sdk/client-dynamodb';

/** Partition key attribute: the item kind and its key (see lib/state/dynamodb-keys.ts). */
export const PARTITION_KEY = 'pk';
/** Sort key attribute: the time bucket and shard of a counter item; `-` for claims and remembered values. */
export const SORT_KEY = 'sk';
/** The TTL attribute: epoch **seconds**, as DynamoDB TTL requires. */
export const TTL_ATTRIBUTE = 'ttl';

/** Everything needed to create the state table; the one place its shape is written down. */
export interface TableDefinition {
  createTable: CreateTableCommandInput;
  /** Apply with UpdateTimeToLive once the table is ACTIVE (CreateTable cannot set TTL). */
  timeToLive: TimeToLiveSpecification;
}

/**
 * The DynamoDB table behind `DynamoDbState`: one table, string partition and sort keys, on-demand billing,
 * TTL on `ttl`. `trailguard state create-table` and the CDK stack both build the table from this, so the
 * store and the infrastructure cannot drift apart.
 */
export function tableDefinition(name: string): TableDefinition {
  return {
    createTable: {
      TableName: name,
      AttributeDefinitions: [
        { AttributeName: PARTITION_KEY, AttributeType: 'S' },
        { AttributeName: SORT_KEY, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: SORT_KEY, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    },
    timeToLive: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
  };
}

/** DynamoDB's rule for table names: 3 to 255 of letters, digits, `_`, `-` and `.`. */
export function isValidTableName(name: string): boolean {
  return /^[A-Za-z0-9_.-]{3,255}$/.test(name);
}
