import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';

/** Every item of a state table (consistent scan), for comparing what runs left behind. */
export async function scanTable(
  client: DynamoDBClient,
  table: string,
): Promise<Record<string, import('@aws-sdk/client-dynamodb').AttributeValue>[]> {
  const items: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue>[] = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  return items;
}

/** Every counter entry in a table (`c#` items, one string set member per counted event), sorted. */
export async function counterMembers(client: DynamoDBClient, table: string): Promise<string[]> {
  const members: string[] = [];
  for (const item of await scanTable(client, table)) {
    if (item.pk?.S?.startsWith('c#')) members.push(...(item.e?.SS ?? []));
  }
  return members.sort();
}

/** The claims in a table: finding id per claim key, and whether it is still unconfirmed. */
export async function claimItems(
  client: DynamoDBClient,
  table: string,
): Promise<{ pk: string; findingId: string; unconfirmed: boolean }[]> {
  return (await scanTable(client, table))
    .filter((item) => item.pk?.S?.startsWith('f#'))
    .map((item) => ({
      pk: item.pk?.S as string,
      findingId: item.fid?.S as string,
      unconfirmed: item.unc !== undefined,
    }))
    .sort((a, b) => a.pk.localeCompare(b.pk));
}

/** One line a test prints with its figures, collected for docs/RELIABILITY.md. */
export function reportFigures(test: string, figures: Record<string, unknown>): void {
  console.log(`[fault-figures] ${JSON.stringify({ test, ...figures })}`);
}
