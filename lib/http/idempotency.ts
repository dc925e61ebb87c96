/**
 * `Idempotency-Key` on every POST (SPEC §3), with Powertools idempotency and the records in
 * the service's own table. The key is scoped to the caller, so two callers cannot collide;
 * the parsed body is the payload: the same key with another body is refused. Failed requests
 * leave no record, so a corrected retry with the same key is carried out.
 */

import { isDeepStrictEqual } from 'node:util';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { fromAuthorizerContext } from '#lib/auth/principal.ts';
import { keyedDigest } from '#lib/auth/signing-key.ts';
import { dynamoDb } from '#lib/clients/dynamodb.ts';
import { currentRequest, expectReply, type PendingReply } from '#lib/store/committed-reply.ts';
import { ATTRIBUTE, IDEMPOTENCY, keys } from '#lib/store/keys.ts';
import type { HttpEvent, HttpResult } from './handler.ts';

export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600;

/**
 * Powertools' own layer, telling the request's pending reply which record it holds: the
 * transaction that commits the request's change completes that record (lib/store/committed-reply.ts).
 */
class CommittingPersistenceLayer extends DynamoDBPersistenceLayer {
  protected override async _putRecord(record: IdempotencyRecord): Promise<void> {
    await super._putRecord(record);
    const pending = currentRequest();
    if (pending) {
      pending.record = {
        idempotencyKey: record.idempotencyKey,
        payloadHash: record.payloadHash,
        expiresAt: record.expiryTimestamp as number,
        inProgressExpiresAt: record.inProgressExpiryTimestamp,
      };
    }
  }
}

let persistence: CommittingPersistenceLayer | undefined;

function persistenceStore(): CommittingPersistenceLayer {
  persistence ??= new CommittingPersistenceLayer({
    tableName: process.env.TABLE_NAME ?? '',
    awsSdkV3Client: dynamoDb,
    keyAttr: ATTRIBUTE.pk,
    sortKeyAttr: ATTRIBUTE.sk,
    staticPkValue: keys.idempotencyPartition(),
    expiryAttr: IDEMPOTENCY.expiryAttribute,
    inProgressExpiryAttr: IDEMPOTENCY.attributes.inProgressExpiry,
    statusAttr: IDEMPOTENCY.attributes.status,
    dataAttr: IDEMPOTENCY.attributes.data,
    validationKeyAttr: IDEMPOTENCY.attributes.payloadHash,
  });
  return persistence;
}

const config = () =>
  new IdempotencyConfig({
    // Null (no header) skips idempotency; otherwise caller, path and key together name the
    // request: two company admins (or an admin and the partner acting as it) never share a key,
    // and one key sent to two accounts (a reset has no body) is two requests. A caller with no
    // identity (login, recovery) is known by its address alone.
    eventKeyJmesPath: `headers."idempotency-key" && [requestContext.authorizer.lambda.kind, requestContext.authorizer.lambda.partnerId, requestContext.authorizer.lambda.companyId, requestContext.authorizer.lambda.accountId, requestContext.authorizer.lambda.actingPartnerId, requestContext.${ANONYMOUS_SOURCE}, rawPath, headers."idempotency-key"]`,
    payloadValidationJmesPath: `requestContext.${PAYLOAD_DIGEST}`,
    expiresAfterSeconds: IDEMPOTENCY_WINDOW_SECONDS,
    throwOnNoIdempotencyKey: false,
  });

const HOLDS_RECORD = 'backup-provisioning.idempotency.holdsRecord';

/**
 * Where an anonymous caller's address is put for the key. Without it, everyone's login with one
 * key would be one request: someone who learnt another's key could ask, with no attempt counted,
 * whether a password is the one that key was first sent with (the same body is answered, another
 * is refused as a reused key).
 */
const ANONYMOUS_SOURCE = 'anonymousSource';

/** Where the digest of the body is put for Powertools to compare a reused key by. */
const PAYLOAD_DIGEST = 'payloadDigest';

/**
 * What a reused key is compared by: a digest of the whole body keyed by the session secret.
 * A repeat that differs only in a password or a secret answer is another body (refused as a
 * reused key, never answered with the first one's account or session), and the stored hash
 * cannot be tried against guessed passwords, as an unsalted hash of the body could.
 */
export const keyedPayload = (body: unknown): Promise<string> =>
  keyedDigest('idempotency-payload', JSON.stringify(body));

/** How a route turns its use case's reply body into its response (as lib/http/handler.ts does). */
export interface ReplyShape {
  status: number;
  location?: (body: never) => string;
}

const responseOf =
  (shape: ReplyShape) =>
  (body: unknown): HttpResult => ({
    statusCode: shape.status,
    headers: {
      'content-type': 'application/json',
      ...(shape.location ? { location: shape.location(body as never) } : {}),
    },
    body: JSON.stringify(body),
  });

/**
 * Honours `Idempotency-Key`. With `reply`, the route's use case completes the key's record in
 * the transaction that commits its change (lib/store/committed-reply.ts): a retry after a crash
 * between the commit and the reply is answered with the first response.
 */
export const idempotent = (
  options: { reply?: ReplyShape } = {},
): middy.MiddlewareObj<HttpEvent, HttpResult, Error, Context> => {
  const powertools = makeHandlerIdempotent({
    persistenceStore: persistenceStore(),
    config: config(),
  });
  const pendingOf = (request: { internal: unknown }) =>
    (request.internal as Record<string, unknown>)[PENDING] as PendingReply | undefined;
  return {
    before: async (request) => {
      const internal = request.internal as Record<string, unknown>;
      // Before the first await: the handler and its transactions run in the context set here.
      const pending: PendingReply | undefined =
        options.reply && request.event.headers?.['idempotency-key']
          ? { respond: responseOf(options.reply) }
          : undefined;
      internal[PENDING] = pending;
      expectReply(pending);
      const context = request.event.requestContext as unknown as Record<string, unknown>;
      const caller = fromAuthorizerContext(request.event.requestContext?.authorizer?.lambda);
      context[ANONYMOUS_SOURCE] =
        caller.kind === 'anonymous' ? (request.event.requestContext?.http?.sourceIp ?? '') : '';
      // No body at all (absent on API Gateway, empty offline) compares as JSON null.
      const { body } = request.event;
      context[PAYLOAD_DIGEST] = await keyedPayload(body === undefined || body === '' ? null : body);
      const replay = await powertools.before?.(request as never);
      internal[HOLDS_RECORD] = true;
      return replay;
    },
    after: async (request) => {
      const pending = pendingOf(request);
      if (pending) pending.ended = true;
      const committed = pending?.committed;
      // Completed with the change, as this very response: nothing left to write.
      if (committed !== undefined && isDeepStrictEqual(committed, request.response)) return;
      await powertools.after?.(request as never);
    },
    // Powertools deletes the key's record on any error, also when its own `before` refused the
    // request (a reused key, one still in progress): that would delete the first request's
    // record and let the next repeat run again. Only a request that took the record gives it up,
    // and only if its change was not committed with it.
    onError: async (request) => {
      const pending = pendingOf(request);
      if (pending) pending.ended = true;
      if ((request.internal as Record<string, unknown>)[HOLDS_RECORD] !== true) return;
      // Committed with the change, or maybe (no answer): the record is the retry's to read. One
      // left in progress is taken over by a retry once its in-progress time has run out.
      if (pending?.committed !== undefined || pending?.keepRecord) return;
      await powertools.onError?.(request as never);
    },
  };
};

const PENDING = 'backup-provisioning.idempotency.pending';
