/**
 * The per-username attempt windows of the rate limit (rules in lib/rules/rate-limit.ts). One
 * global item per username and attempt kind, expiring through the table's TTL once its window
 * has ended; it holds counts and a time, never what was tried.
 *
 * An attempt takes a place (`held`) before its password or answer is checked, by a conditional
 * write that refuses it once all places are taken: a burst of parallel guesses gets no more checks
 * than a sequence would. A wrong guess is then counted as a failure and keeps its place; a right
 * one ends the window.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { keyedDigest } from '#lib/auth/signing-key.ts';
import { documentClient, tableName } from '#lib/clients/dynamodb.ts';
import {
  type AttemptKind,
  type FailureWindow,
  hasPlace,
  MAX_FAILURES,
  WINDOW_MS,
} from '#lib/rules/rate-limit.ts';
import { ENTITY, keys } from './keys.ts';
import { getItem, type Item, type WriteStep, write } from './table.ts';

export const windowFromItem = (item: Item | undefined): FailureWindow | null =>
  item && typeof item.held === 'number' && typeof item.windowStartsAt === 'string'
    ? {
        failures: typeof item.failures === 'number' ? item.failures : 0,
        held: item.held,
        windowStartsAt: item.windowStartsAt,
      }
    : null;

/** What was typed as a username is kept only as a keyed digest: it may be a password. */
const attemptsKey = async (kind: AttemptKind, username: string) =>
  keys.attempts(kind, await keyedDigest('attempts', username));

export async function readFailureWindow(
  kind: AttemptKind,
  username: string,
): Promise<FailureWindow | null> {
  return windowFromItem(await getItem(await attemptsKey(kind, username)));
}

const OPENING_ATTEMPTS = 5;

/**
 * Takes a place for one attempt in the username's open window, or opens a new window with it.
 * Returns null when the attempt may be checked, or the full window that refuses it.
 */
export async function reserveAttempt(
  kind: AttemptKind,
  username: string,
  now: Date,
): Promise<FailureWindow | null> {
  const key = await attemptsKey(kind, username);
  const at = now.toISOString();
  const floor = new Date(now.getTime() - WINDOW_MS).toISOString();
  for (let round = 0; round < OPENING_ATTEMPTS; round++) {
    try {
      // The same window the rules see as live: started within the last 15 minutes, not later.
      await documentClient.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: key,
          UpdateExpression: 'SET held = held + :one',
          ConditionExpression:
            'attribute_exists(PK) AND windowStartsAt > :floor AND windowStartsAt <= :now AND held < :max',
          ExpressionAttributeValues: {
            ':one': 1,
            ':floor': floor,
            ':now': at,
            ':max': MAX_FAILURES,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return null;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const old = error.Item ? unmarshall(error.Item) : await getItem(key);
      const window = windowFromItem(old);
      if (window && !hasPlace(window, now.getTime())) return window;
    }
    try {
      await documentClient.send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...key,
            entity: ENTITY.attempts,
            failures: 0,
            held: 1,
            windowStartsAt: at,
            expiresAt: Math.ceil((now.getTime() + WINDOW_MS) / 1000) + 60,
          },
          ConditionExpression:
            'attribute_not_exists(PK) OR windowStartsAt <= :floor OR windowStartsAt > :now',
          ExpressionAttributeValues: { ':floor': floor, ':now': at },
        }),
      );
      return null;
    } catch (error) {
      // Another attempt opened the window meanwhile: count this one in it.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
  throw new Error(`Could not count a ${kind} attempt`);
}

/** A wrong guess: counted as a failure, it keeps its place until the window ends. */
export async function recordFailure(kind: AttemptKind, username: string): Promise<void> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: await attemptsKey(kind, username),
        UpdateExpression: 'SET failures = failures + :one',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  } catch (error) {
    // A right guess or a reset ended the window meanwhile: nothing left to count against.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** A right guess ends the window: the user proved who it is. */
export async function endWindow(kind: AttemptKind, username: string): Promise<void> {
  await documentClient.send(
    new DeleteCommand({ TableName: tableName(), Key: await attemptsKey(kind, username) }),
  );
}

/** Lifts both limits of a username: its password was just set by someone entitled to. */
export async function clearFailuresSteps(username: string): Promise<WriteStep[]> {
  return Promise.all(
    (['login', 'recover'] as const).map(async (kind) => ({
      item: write.delete(await attemptsKey(kind, username)),
    })),
  );
}
