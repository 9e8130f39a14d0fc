import {
  CreateTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { terminalSafe } from '../output/terminal-safe.ts';
import { StateOpenError } from './state-open-error.ts';
import { isValidTableName, tableDefinition } from './table-definition.ts';

/**
 * Creates the state table from `tableDefinition`, waits until it is ACTIVE, then turns on TTL (which
 * CreateTable cannot do). Errors name the table and what went wrong.
 */
export async function createStateTable(
  client: DynamoDBClient,
  table: string,
  options: { maxWaitSeconds?: number } = {},
): Promise<void> {
  const name = `DynamoDB table "${terminalSafe(table)}"`;
  if (!isValidTableName(table)) {
    throw new StateOpenError(`${name}: not a table name (3-255 of A-Z a-z 0-9 _ - .)`);
  }
  const definition = tableDefinition(table);
  let step = 'create';
  try {
    const created = await client.send(new CreateTableCommand(definition.createTable));
    step = 'wait for';
    if (created.TableDescription?.TableStatus !== 'ACTIVE') {
      await waitUntilTableExists(
        { client, maxWaitTime: options.maxWaitSeconds ?? 300, minDelay: 1, maxDelay: 5 },
        { TableName: table },
      );
    }
    step = 'enable TTL on';
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: definition.timeToLive }),
    );
  } catch (error) {
    const kind = error instanceof Error ? error.name : 'Error';
    if (kind === 'ResourceInUseException' && step === 'create')
      throw new StateOpenError(`${name} already exists`);
    const message = error instanceof Error ? error.message : String(error);
    throw new StateOpenError(`cannot ${step} ${name}: ${kind}: ${terminalSafe(message)}`);
  }
}
