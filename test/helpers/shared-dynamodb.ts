import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { createStateTable } from '../../lib/state/create-table.ts';
import { waitForDynamoDb } from './dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:PORT` of the one DynamoDB Local the run shares, or `error:<why>` if it failed. */
    dynamodbEndpoint: string;
  }
}

/** The shared DynamoDB Local's endpoint (from the global setup), once it answers. */
export async function sharedDynamoDb(): Promise<string> {
  const endpoint = inject('dynamodbEndpoint');
  await waitForDynamoDb(endpoint);
  return endpoint;
}

/** A unique table name, so test files sharing one DynamoDB Local never see each other's state. */
export function uniqueTableName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Creates a fresh state table (the real definition, TTL on) and returns its name. */
export async function createTestTable(client: DynamoDBClient, prefix: string): Promise<string> {
  const table = uniqueTableName(prefix);
  await createStateTable(client, table, { maxWaitSeconds: 30 });
  return table;
}

export async function deleteTestTable(client: DynamoDBClient, table: string): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: table }));
}
