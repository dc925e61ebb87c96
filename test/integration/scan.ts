import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '#lib/clients/dynamodb.ts';

/** Every item of the test table whose serialised form contains `value`. */
export async function scanForValue(value: string): Promise<Record<string, unknown>[]> {
  const matches: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new ScanCommand({ TableName: tableName(), ExclusiveStartKey: start }),
    );
    for (const item of out.Items ?? [])
      if (JSON.stringify(item).includes(value)) matches.push(item);
    start = out.LastEvaluatedKey;
  } while (start);
  return matches;
}
