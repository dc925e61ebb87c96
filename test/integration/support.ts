/**
 * What only DynamoDB Local can answer: the requests a use case sends and what the table holds.
 * Scopes, names, bodies, events and builders are in test/support/builders.ts.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { documentClient, dynamoDb, tableName } from '#lib/clients/dynamodb.ts';

/** Counts the DynamoDB requests sent while `run` runs, by command name. */
export async function countRequests<T>(
  run: () => Promise<T>,
): Promise<{ result: T; requests: string[] }> {
  const requests: string[] = [];
  const name = `count-${ulid()}`;
  dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      requests.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    return { result: await run(), requests };
  } finally {
    dynamoDb.middlewareStack.remove(name);
  }
}

/** Every page, since other test files fill the same table while this one runs. */
export async function outboxIdsFor(accountId: string, kind: string): Promise<string[]> {
  const ids: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new ScanCommand({
        TableName: tableName(),
        FilterExpression: 'entity = :outbox AND accountId = :account AND #kind = :kind',
        ExpressionAttributeNames: { '#kind': 'kind' },
        ExpressionAttributeValues: { ':outbox': 'OUTBOX', ':account': accountId, ':kind': kind },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) ids.push(item.id as string);
    start = out.LastEvaluatedKey;
  } while (start);
  return ids;
}
