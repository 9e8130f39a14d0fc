import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, inject } from 'vitest';
import { createStateTable } from '../../lib/state/create-table.ts';
import { localClient, waitForDynamoDb } from './dynamodb-local.ts';

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

/**
 * Clients of the shared DynamoDB Local for one test file: each call of the returned function makes a new
 * client (as another Lambda instance would have its own), and every client is destroyed after the file.
 * Call it at the top level of a test file; clients can be made from `beforeAll` on.
 */
export function dynamoDbClients(): () => DynamoDBClient {
  let endpoint: string | undefined;
  const clients: DynamoDBClient[] = [];
  beforeAll(async () => {
    endpoint = await sharedDynamoDb();
  });
  afterAll(() => {
    for (const made of clients) made.destroy();
  });
  return () => {
    if (endpoint === undefined)
      throw new Error('dynamoDbClients: make clients in tests or hooks, not at import');
    const made = localClient(endpoint);
    clients.push(made);
    return made;
  };
}

/** The tables a test file creates, deleted together when it ends. */
export class TestTables {
  readonly #names: string[] = [];
  /** `client` is read when needed: test files make their clients in `beforeAll`. */
  constructor(private readonly client: () => DynamoDBClient) {}

  async create(prefix: string): Promise<string> {
    const name = await createTestTable(this.client(), prefix);
    this.#names.push(name);
    return name;
  }

  async deleteAll(): Promise<void> {
    await Promise.all(this.#names.map((name) => deleteTestTable(this.client(), name)));
  }
}
