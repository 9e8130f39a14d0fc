import type { Command } from 'commander';
import { TTL_ATTRIBUTE } from '../../state/table-definition.ts';

export function registerState(program: Command): void {
  const state = program.command('state').description('manage the DynamoDB table that holds detection state');

  state
    .command('create-table')
    .description(
      'create the state table (on-demand, TTL on) and wait until it is ACTIVE; region and credentials ' +
        'come from the standard AWS chain (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_DYNAMODB, …)',
    )
    .argument('<table>', 'the table name')
    .action(async (table: string) => {
      // Loaded here, not at start-up: the AWS SDK costs every other command a third of a second.
      const { createDynamoDbClient } = await import('../../state/dynamodb-client.ts');
      const { createStateTable } = await import('../../state/create-table.ts');
      const client = createDynamoDbClient();
      try {
        await createStateTable(client, table);
      } finally {
        client.destroy();
      }
      process.stdout.write(
        `created DynamoDB table "${table}" (on-demand, TTL on "${TTL_ATTRIBUTE}"); ` +
          `use it with: trailguard detect --state dynamodb:${table} …\n`,
      );
    });
}
