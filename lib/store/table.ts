/**
 * Thin helpers over the DocumentClient: reads, paged queries and transactions whose cancelled
 * conditions become the service's own errors.
 */
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { documentClient, tableName } from '#lib/clients/dynamodb.ts';
import { conflict, validationFailed } from '#lib/errors.ts';
import { pendingReply, replyStep } from './committed-reply.ts';
import { ATTRIBUTE, type Key } from './keys.ts';

export type Item = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface WriteStep {
  item: TransactItem;
  /** Builds the error to report when this step's condition fails, from the item as it was. */
  onConditionFailed?: (current: Item | undefined) => Error;
}

export const MAX_TRANSACTION_ITEMS = 100;

export async function getItem(key: Key, consistent = true): Promise<Item | undefined> {
  const out = await documentClient.send(
    new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: consistent }),
  );
  return out.Item;
}

/** One BatchGetItem request for up to 100 keys; returns the found items by `PK|SK`. */
/** What one BatchGetItem may ask for. */
const MAX_BATCH_GET_KEYS = 100;

export async function getItems(keyList: Key[]): Promise<Map<string, Item>> {
  const found = new Map<string, Item>();
  const unique = dedupe(keyList);
  // One request per 100 keys: a usage report of 100 accounts also reads their companies.
  for (let start = 0; start < unique.length; start += MAX_BATCH_GET_KEYS) {
    await getBatch(unique.slice(start, start + MAX_BATCH_GET_KEYS), found);
  }
  return found;
}

async function getBatch(keyList: Key[], found: Map<string, Item>): Promise<void> {
  let pending: Key[] = keyList;
  for (let attempt = 0; pending.length > 0; attempt++) {
    const out = await documentClient.send(
      new BatchGetCommand({
        RequestItems: { [tableName()]: { Keys: pending, ConsistentRead: true } },
      }),
    );
    for (const item of out.Responses?.[tableName()] ?? []) {
      found.set(keyId(item as unknown as Key), item);
    }
    pending = (out.UnprocessedKeys?.[tableName()]?.Keys ?? []) as Key[];
    if (pending.length > 0) {
      if (attempt >= 5) throw new Error('BatchGetItem left keys unprocessed after retries');
      await backoff(attempt);
    }
  }
}

export const keyId = (key: Key) => `${key.PK}|${key.SK}`;

function dedupe(keyList: Key[]): Key[] {
  const seen = new Map<string, Key>();
  for (const key of keyList) seen.set(keyId(key), { PK: key.PK, SK: key.SK });
  return [...seen.values()];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface QueryPageInput {
  pk: string;
  skPrefix: string;
  limit: number;
  cursor: string | null | undefined;
  newestFirst?: boolean;
  /**
   * A sparse index keyed by `partitionAttribute` and the table's SK, whose items all sit in the
   * table partition `tablePk`: `pk` is then the index partition.
   */
  index?: { name: string; partitionAttribute: string; tablePk: string };
}

/**
 * One page of a partition. The cursor carries only the sort key: the partition always comes
 * from the caller's own tenant path, so a cursor cannot be used to read another tenant's data.
 */
export async function queryPage(input: QueryPageInput): Promise<Page<Item>> {
  const startSk = input.cursor ? decodeCursor(input.cursor, input.skPrefix) : undefined;
  const { index } = input;
  const partition = index ? index.partitionAttribute : ATTRIBUTE.pk;
  const startKey = index
    ? { PK: index.tablePk, SK: startSk, [partition]: input.pk }
    : { PK: input.pk, SK: startSk };
  const out = await documentClient.send(
    new QueryCommand({
      TableName: tableName(),
      ...(index ? { IndexName: index.name } : {}),
      KeyConditionExpression: '#partition = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeNames: { '#partition': partition },
      ExpressionAttributeValues: { ':pk': input.pk, ':prefix': input.skPrefix },
      Limit: input.limit,
      ScanIndexForward: !input.newestFirst,
      ...(startSk ? { ExclusiveStartKey: startKey } : {}),
    }),
  );
  const last = out.LastEvaluatedKey as Key | undefined;
  return { items: out.Items ?? [], nextCursor: last ? encodeCursor(last.SK) : null };
}

/** Every item of a partition under a prefix (a company's accounts), page by page. */
export async function queryAll(pk: string, skPrefix: string): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}

const encodeCursor = (sk: string) => Buffer.from(sk, 'utf8').toString('base64url');

function decodeCursor(cursor: string, skPrefix: string): string {
  const sk = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!sk.startsWith(skPrefix)) {
    throw validationFailed([{ path: 'cursor', message: 'Not a cursor of this list.' }]);
  }
  return sk;
}

const TRANSACTION_ATTEMPTS = 8;

/** Cancellation reasons that say nothing about the items: the same transaction may succeed. */
const TRANSIENT_REASONS = new Set(['TransactionConflict', 'ThrottlingError']);

const sustained = new WeakSet<Error>();

/** A CONFLICT that already is the end of retrying: running the use case again would not help. */
export const isSustainedContention = (error: Error): boolean => sustained.has(error);

export interface TransactOptions {
  /**
   * The reply body of the request this transaction completes: a keyed request's idempotency
   * record is completed with it in the same transaction (./committed-reply.ts).
   */
  reply?: unknown;
}

/**
 * Runs the steps as one TransactWriteItems request. A failed condition becomes the error its
 * step names; a conflict with a concurrent transaction (or throttling) is retried, since
 * nothing was written and the conditions are checked again; one that lasts is a CONFLICT.
 */
export async function transact(steps: WriteStep[], options: TransactOptions = {}): Promise<void> {
  const pending = 'reply' in options ? pendingReply() : undefined;
  const reply = pending ? replyStep(pending, options.reply) : undefined;
  const all = reply ? [...steps, reply.step] : steps;
  if (all.length > MAX_TRANSACTION_ITEMS) {
    throw new Error(`A transaction holds at most ${MAX_TRANSACTION_ITEMS} items (${all.length})`);
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await documentClient.send(
        new TransactWriteCommand({ TransactItems: all.map((step) => step.item) }),
      );
      if (pending && reply) pending.committed = reply.response;
      return;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) {
        // No answer (a dropped connection, a timeout): the change may have been committed with
        // the record, which must then stay for the retry to be answered from.
        if (pending && (error as { $fault?: string }).$fault !== 'client')
          pending.keepRecord = true;
        throw error;
      }
      const reasons = error.CancellationReasons ?? [];
      const lost = lostRace(error);
      if (lost) {
        const step = all[lost.step];
        if (step?.onConditionFailed) throw step.onConditionFailed(lost.current);
        throw conflict({ cause: error });
      }
      const transient =
        reasons.some((reason) => TRANSIENT_REASONS.has(reason.Code ?? '')) &&
        reasons.every(
          (reason) => reason.Code === 'None' || TRANSIENT_REASONS.has(reason.Code ?? ''),
        );
      if (!transient) throw error;
      if (attempt >= TRANSACTION_ATTEMPTS) {
        const lasting = conflict({ cause: error });
        sustained.add(lasting);
        throw lasting;
      }
      await backoff(attempt);
    }
  }
}

type RawItem = Parameters<typeof unmarshall>[0];

/**
 * The one reading of a lost race: a condition that failed, in a single write or in a
 * transaction, with the index of its step and the item as the condition saw it.
 */
function lostRace(error: unknown): { step: number; current: Item | undefined } | null {
  if (error instanceof ConditionalCheckFailedException) {
    return { step: 0, current: error.Item ? unmarshall(error.Item) : undefined };
  }
  if (error instanceof TransactionCanceledException) {
    const reasons = error.CancellationReasons ?? [];
    const step = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
    if (step < 0) return null;
    const raw = reasons[step]?.Item;
    return { step, current: raw ? unmarshall(raw as RawItem) : undefined };
  }
  return null;
}

/** What a single conditional write did: written (with the item after, when asked), or lost. */
export type SingleWrite =
  | { written: true; item: Item | undefined }
  | { written: false; current: Item | undefined };

/**
 * Sends one `write.put` or `write.update` as a request of its own. A failed condition is not an
 * error but a lost race, returned with the item as the condition saw it.
 */
export async function writeItem(
  step: TransactItem,
  options: { returnItem?: boolean } = {},
): Promise<SingleWrite> {
  try {
    if (step.Put) {
      await documentClient.send(new PutCommand(step.Put));
      return { written: true, item: options.returnItem ? step.Put.Item : undefined };
    }
    if (step.Update) {
      const out = await documentClient.send(
        new UpdateCommand({
          ...step.Update,
          ...(options.returnItem && { ReturnValues: 'ALL_NEW' }),
        }),
      );
      return { written: true, item: out.Attributes };
    }
  } catch (error) {
    const lost = lostRace(error);
    if (lost) return { written: false, current: lost.current };
    throw error;
  }
  throw new Error('A single write is a put or an update');
}

/**
 * Several conditional writes as one TransactWriteItems, sent once: true when written, false
 * when a condition lost the race. For best-effort writes that are not worth a retry.
 */
export async function writeItemsOnce(items: TransactItem[]): Promise<boolean> {
  try {
    await documentClient.send(new TransactWriteCommand({ TransactItems: items }));
    return true;
  } catch (error) {
    if (lostRace(error)) return false;
    throw error;
  }
}

/** Full jitter, capped: racing writers spread out instead of meeting again. */
export const backoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(400, 20 * 2 ** attempt)));

/** Helpers that keep the table name and key shape in one place. */
export const write = {
  put(item: Item, condition?: string, values?: Record<string, unknown>): TransactItem {
    return {
      Put: {
        TableName: tableName(),
        Item: item,
        ...(condition ? { ConditionExpression: condition } : {}),
        ...(values ? { ExpressionAttributeValues: values } : {}),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
  },
  update(
    key: Key,
    expression: string,
    values: Record<string, unknown>,
    options: { condition?: string; names?: Record<string, string> } = {},
  ): TransactItem {
    return {
      Update: {
        TableName: tableName(),
        Key: key,
        UpdateExpression: expression,
        ExpressionAttributeValues: values,
        ...(options.condition ? { ConditionExpression: options.condition } : {}),
        ...(options.names ? { ExpressionAttributeNames: options.names } : {}),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
  },
  check(
    key: Key,
    condition: string,
    values: Record<string, unknown>,
    names?: Record<string, string>,
  ): TransactItem {
    return {
      ConditionCheck: {
        TableName: tableName(),
        Key: key,
        ConditionExpression: condition,
        ExpressionAttributeValues: values,
        ...(names ? { ExpressionAttributeNames: names } : {}),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
  },
  delete(key: Key): TransactItem {
    return { Delete: { TableName: tableName(), Key: key } };
  },
};
