import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { terminalSafe } from '../output/terminal-safe.ts';
import { createDynamoDbClient } from './dynamodb-client.ts';
import { DynamoDbState } from './dynamodb-state.ts';
import type { OpenedState, OpenStateOptions } from './open-state.ts';
import { StateOpenError } from './state-open-error.ts';
import { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from './table-definition.ts';

/** Opens `DynamoDbState` on `table` after checking the table is there and has the trailguard keys. */
export async function openDynamoDb(table: string, options: OpenStateOptions): Promise<OpenedState> {
  const client = options.client ?? createDynamoDbClient();
  const close = () => {
    if (!options.client) client.destroy();
  };
  try {
    const warnings = await checkTable(client, table);
    const state = new DynamoDbState({
      client,
      table,
      retentionMs: options.retentionMs,
      reachMs: options.reachMs,
    });
    return { state, label: `dynamodb:${table}`, stats: state.stats, warnings, close };
  } catch (error) {
    close();
    throw error;
  }
}

async function checkTable(client: DynamoDBClient, table: string): Promise<string[]> {
  const name = `DynamoDB table "${table}"`;
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    const keys = (Table?.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
    if (keys !== `${PARTITION_KEY}:HASH,${SORT_KEY}:RANGE`) {
      throw new StateOpenError(
        `${name} has key schema ${keys || 'none'}, not ${PARTITION_KEY} (partition) + ${SORT_KEY} (sort); ` +
          'use a table made by "trailguard state create-table"',
      );
    }
    const { TimeToLiveDescription: ttl } = await client.send(
      new DescribeTimeToLiveCommand({ TableName: table }),
    );
    const enabled =
      ttl?.AttributeName === TTL_ATTRIBUTE && ['ENABLED', 'ENABLING'].includes(ttl.TimeToLiveStatus ?? '');
    return enabled ? [] : [`${name} has no TTL on "${TTL_ATTRIBUTE}": expired state will never be deleted`];
  } catch (error) {
    if (error instanceof StateOpenError) throw error;
    const kind = error instanceof Error ? error.name : 'Error';
    if (kind === 'ResourceNotFoundException') {
      const region = await client.config.region().catch(() => 'the configured region');
      throw new StateOpenError(
        `${name} does not exist in ${terminalSafe(region)}; create it with: trailguard state create-table ${table}`,
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new StateOpenError(`cannot use ${name}: ${kind}: ${terminalSafe(message)}`);
  }
}
