/**
 * The per-username failure windows of the rate limit (rules in lib/rules/rate-limit.ts). One
 * global item per username and attempt kind, expiring through the table's TTL once its window
 * has ended; it holds a count and a time, never what was tried.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '#lib/clients/dynamodb.ts';
import { type AttemptKind, type FailureWindow, WINDOW_MS } from '#lib/rules/rate-limit.ts';
import { ENTITY, keys } from './keys.ts';
import { getItem, type Item, type WriteStep, write } from './table.ts';

export const windowFromItem = (item: Item | undefined): FailureWindow | null =>
  item && typeof item.failures === 'number' && typeof item.windowStartsAt === 'string'
    ? { failures: item.failures, windowStartsAt: item.windowStartsAt }
    : null;

export async function readFailureWindow(
  kind: AttemptKind,
  username: string,
): Promise<FailureWindow | null> {
  return windowFromItem(await getItem(keys.attempts(kind, username)));
}

/**
 * Counts one failure: into the open window if there is one, else as the first of a new window.
 * Two conditional writes keep concurrent failures from being lost or from restarting a window.
 */
export async function recordFailure(kind: AttemptKind, username: string, now: Date): Promise<void> {
  const key = keys.attempts(kind, username);
  const floor = new Date(now.getTime() - WINDOW_MS).toISOString();
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET failures = failures + :one',
        ConditionExpression: 'attribute_exists(PK) AND windowStartsAt > :floor',
        ExpressionAttributeValues: { ':one': 1, ':floor': floor },
      }),
    );
    return;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  try {
    await documentClient.send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...key,
          entity: ENTITY.attempts,
          failures: 1,
          windowStartsAt: now.toISOString(),
          expiresAt: Math.ceil((now.getTime() + WINDOW_MS) / 1000) + 60,
        },
        ConditionExpression: 'attribute_not_exists(PK) OR windowStartsAt <= :floor',
        ExpressionAttributeValues: { ':floor': floor },
      }),
    );
  } catch (error) {
    // Another failure opened the window meanwhile: count this one in it.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    await recordFailure(kind, username, now);
  }
}

/** Lifts both limits of a username: its password was just set by someone entitled to. */
export function clearFailuresSteps(username: string): WriteStep[] {
  return (['login', 'recover'] as const).map((kind) => ({
    item: write.delete(keys.attempts(kind, username)),
  }));
}

export async function clearFailures(kind: AttemptKind, username: string): Promise<void> {
  await documentClient.send(
    new DeleteCommand({ TableName: tableName(), Key: keys.attempts(kind, username) }),
  );
}
