import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '#lib/clients/dynamodb.ts';

/** Every item of the test table (other files' too: filter by what is yours). */
export async function scanTable(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new ScanCommand({ TableName: tableName(), ExclusiveStartKey: start }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every item of the test table whose serialised form contains `value`. */
export async function scanForValue(value: string): Promise<Record<string, unknown>[]> {
  return (await scanTable()).filter((item) => JSON.stringify(item).includes(value));
}
