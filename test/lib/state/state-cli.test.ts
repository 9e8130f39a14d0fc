import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStateTable } from '../../../lib/state/create-table.ts';
import { openState, parseStateSpec } from '../../../lib/state/open-state.ts';
import { LOCAL_AWS_ENV, localClient } from '../../helpers/dynamodb-local.ts';
import { runCli } from '../../helpers/run-cli.ts';
import { sharedDynamoDb, uniqueTableName } from '../../helpers/shared-dynamodb.ts';

const EXAMPLE = ['--config', 'examples/trailguard.yaml', 'examples/AWSLogs'];

let client: DynamoDBClient;
const saved = new Map<string, string | undefined>();

/** The CLI finds DynamoDB Local the way users point it anywhere: the standard AWS environment. */
function setEnv(name: string, value: string): void {
  if (!saved.has(name)) saved.set(name, process.env[name]);
  process.env[name] = value;
}

beforeAll(async () => {
  const endpoint = await sharedDynamoDb();
  client = localClient(endpoint);
  for (const [name, value] of Object.entries(LOCAL_AWS_ENV)) setEnv(name, value);
  setEnv('AWS_ENDPOINT_URL_DYNAMODB', endpoint);
  setEnv('AWS_PROFILE', '');
});
afterAll(() => {
  client.destroy();
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('trailguard state create-table', () => {
  it('creates the table from the shared definition, on demand with TTL', async () => {
    const table = uniqueTableName('cli');
    const created = await runCli(['state', 'create-table', table]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`created DynamoDB table "${table}"`);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    expect(Table).toMatchObject({
      TableStatus: 'ACTIVE',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
    });
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
    expect(ttl.TimeToLiveDescription).toEqual({ AttributeName: 'ttl', TimeToLiveStatus: 'ENABLED' });

    await expect(createStateTable(client, table)).rejects.toThrow(`DynamoDB table "${table}" already exists`);
    await expect(createStateTable(client, 'x!')).rejects.toThrow('DynamoDB table "x!": not a table name');
  });
});

describe('trailguard detect --state', () => {
  it('finds the same on DynamoDB as in memory, and --stats reports requests per event', async () => {
    const table = uniqueTableName('cli-detect');
    expect((await runCli(['state', 'create-table', table])).code).toBe(0);
    const memory = await runCli(['detect', '--format', 'jsonl', '--stats', ...EXAMPLE]);
    const dynamo = await runCli([
      'detect',
      '--format',
      'jsonl',
      '--state',
      `dynamodb:${table}`,
      '--stats',
      ...EXAMPLE,
    ]);
    expect(dynamo.code).toBe(0);
    expect(memory.stdout.split('\n').length).toBeGreaterThan(2);
    expect(dynamo.stdout).toBe(memory.stdout);
    expect(memory.stderr).toMatch(
      /trailguard: state memory: 0 requests for \d+ events judged, 0\.000 per event\n$/,
    );
    const line = dynamo.stderr.match(
      new RegExp(
        `trailguard: state dynamodb:${table}: (\\d+) requests for (\\d+) events judged, (\\d+\\.\\d{3}) per event`,
      ),
    );
    expect(line).not.toBeNull();
    const [, requests, events, perEvent] = line as RegExpMatchArray;
    expect(Number(requests)).toBeGreaterThan(0);
    expect(Number(perEvent)).toBeCloseTo(Number(requests) / Number(events), 3);
    expect(dynamo.stderr).toMatch(/ {2}by operation: .*UpdateItem \d+/);
    expect(dynamo.stderr).toMatch(/ {2}by part: .*claims \d+/);
    // The example's counted events (denials, agent changes) are a few, in a handful of batches.
    expect(dynamo.stderr).toMatch(
      / {2}counters: \d+ requests for [1-9]\d* counted entries, \d+\.\d{3} per entry/,
    );
  });

  it('exits 2 naming a table that does not exist, and how to create it', async () => {
    const table = uniqueTableName('missing');
    const { code, stderr, stdout } = await runCli(['detect', '--state', `dynamodb:${table}`, ...EXAMPLE]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `trailguard: DynamoDB table "${table}" does not exist in us-east-1; ` +
        `create it with: trailguard state create-table ${table}\n`,
    );
  });

  it('refuses a table that is not a trailguard table, naming it', async () => {
    const table = uniqueTableName('foreign');
    await client.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const { code, stderr } = await runCli(['detect', '--state', `dynamodb:${table}`, ...EXAMPLE]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `DynamoDB table "${table}" has key schema id:HASH, not pk (partition) + sk (sort)`,
    );
  });

  it('reads --state as memory or dynamodb:TABLE, and names anything else', () => {
    expect(() => parseStateSpec('redis:x')).toThrow(
      '--state "redis:x" is neither "memory" nor "dynamodb:TABLE"',
    );
    expect(parseStateSpec('memory')).toEqual({ kind: 'memory' });
    expect(() => parseStateSpec('dynamodb:a b')).toThrow('"a b" is not a DynamoDB table name');
    expect(parseStateSpec('dynamodb:trailguard-state')).toEqual({
      kind: 'dynamodb',
      table: 'trailguard-state',
    });
  });

  it('warns when the table has no TTL', async () => {
    const table = uniqueTableName('no-ttl');
    await client.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const opened = await openState({ kind: 'dynamodb', table }, { client });
    expect(opened.label).toBe(`dynamodb:${table}`);
    expect(opened.warnings).toEqual([
      `DynamoDB table "${table}" has no TTL on "ttl": expired state will never be deleted`,
    ]);
  });
});
