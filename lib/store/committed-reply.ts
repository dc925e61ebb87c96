/**
 * The idempotency record of a keyed request, completed inside the transaction that commits the
 * request's change (SPEC §3: a retry after a crash or a timeout between the commit and the reply
 * gets the first response). Written in Powertools' record format (COMPLETED, the response, the
 * payload hash, the expiry), so Powertools replays it like one it completed itself, and the
 * UpdateItem it would have sent after the handler is not needed: a keyed create costs one
 * request less, and a commit and its answer can never come apart.
 *
 * Chosen over keeping the key's digest on what the change creates: that would answer a retry
 * from the objects as they are now (maybe changed since), and every kind of change (a reset, a
 * usage report) would need its own read-back.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { tableName } from '#lib/clients/dynamodb.ts';
import { idempotencyInProgress } from '#lib/errors.ts';
import { IDEMPOTENCY, keys } from './keys.ts';
import type { WriteStep } from './table.ts';

export interface PendingReply {
  /** The record Powertools holds in progress for this request, once it has written it. */
  record?: {
    idempotencyKey: string;
    payloadHash: string | undefined;
    expiresAt: number;
    /** Tells this request's in-progress record from one a retry wrote after it ran out. */
    inProgressExpiresAt: number | undefined;
  };
  /** The response the request gives for the reply body its use case returns. */
  respond: (body: unknown) => unknown;
  /** The response stored with the change, once its transaction succeeded. */
  committed?: unknown;
  /**
   * The record is not this request's to delete on failure: a transaction holding it got no
   * answer (it may have been committed), or a retry has taken the record over.
   */
  keepRecord?: boolean;
  /** The request has ended: a context it leaked into must not complete its record. */
  ended?: boolean;
}

const current = new AsyncLocalStorage<PendingReply>();

/**
 * Makes `pending` (or no request, for one without a key) the keyed request of the calling async
 * context and everything it starts afterwards (the handler, its use case and transactions).
 * Called at the start of every request, before the first `await` of its middleware: what an
 * earlier request left in a shared context is replaced.
 */
export const expectReply = (pending: PendingReply | undefined): void =>
  current.enterWith(pending as PendingReply);

/** The keyed request being served, if any. */
export const currentRequest = (): PendingReply | undefined => current.getStore();

/** The request being served, if it is a keyed one whose record Powertools has written. */
export function pendingReply(): PendingReply | undefined {
  const pending = current.getStore();
  return pending?.record && pending.committed === undefined && !pending.ended ? pending : undefined;
}

/**
 * The step completing the request's record with the response for `body`. Conditioned on the
 * record still being this request's, in progress: a request that lost its record to a retry
 * (its in-progress time ran out) commits nothing, so the two cannot both make the change.
 */
export function replyStep(
  pending: PendingReply,
  body: unknown,
): { step: WriteStep; response: unknown } {
  const record = pending.record as NonNullable<PendingReply['record']>;
  const response = pending.respond(body);
  const a = IDEMPOTENCY.attributes;
  return {
    response,
    step: {
      item: {
        Put: {
          TableName: tableName(),
          Item: {
            PK: keys.idempotencyPartition(),
            SK: record.idempotencyKey,
            [a.status]: 'COMPLETED',
            [IDEMPOTENCY.expiryAttribute]: record.expiresAt,
            [a.data]: response,
            ...(record.payloadHash === undefined ? {} : { [a.payloadHash]: record.payloadHash }),
          },
          ...(record.inProgressExpiresAt === undefined
            ? {
                ConditionExpression: '#status = :inProgress',
                ExpressionAttributeNames: { '#status': a.status },
                ExpressionAttributeValues: { ':inProgress': 'INPROGRESS' },
              }
            : {
                ConditionExpression: '#status = :inProgress AND #until = :until',
                ExpressionAttributeNames: { '#status': a.status, '#until': a.inProgressExpiry },
                ExpressionAttributeValues: {
                  ':inProgress': 'INPROGRESS',
                  ':until': record.inProgressExpiresAt,
                },
              }),
        },
      },
      onConditionFailed: () => {
        pending.keepRecord = true;
        return idempotencyInProgress();
      },
    },
  };
}
