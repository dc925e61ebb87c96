/**
 * `Idempotency-Key` on every POST (SPEC §3), with Powertools idempotency and the records in
 * the service's own table. The key is scoped to the caller, so two callers cannot collide;
 * the parsed body is the payload: the same key with another body is refused. Failed requests
 * leave no record, so a corrected retry with the same key is carried out.
 */
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { fromAuthorizerContext } from '#lib/auth/principal.ts';
import { keyedDigest } from '#lib/auth/signing-key.ts';
import { dynamoDb } from '#lib/clients/dynamodb.ts';
import { IDEMPOTENCY, keys } from '#lib/store/keys.ts';
import type { HttpEvent, HttpResult } from './handler.ts';

export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600;

let persistence: DynamoDBPersistenceLayer | undefined;

function persistenceStore(): DynamoDBPersistenceLayer {
  persistence ??= new DynamoDBPersistenceLayer({
    tableName: process.env.TABLE_NAME ?? '',
    awsSdkV3Client: dynamoDb,
    keyAttr: 'PK',
    sortKeyAttr: 'SK',
    staticPkValue: keys.idempotencyPartition(),
    expiryAttr: IDEMPOTENCY.expiryAttribute,
    inProgressExpiryAttr: 'inProgressExpiresAt',
    statusAttr: 'idempotencyStatus',
    dataAttr: 'response',
    validationKeyAttr: 'payloadHash',
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
    payloadValidationJmesPath: `requestContext.${REDACTED_BODY}`,
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

/** Where the body with its secrets blanked out is put for Powertools to hash. */
const REDACTED_BODY = 'redactedBody';
const SECRET_FIELDS = new Set(['password', 'secretAnswer', 'currentPassword', 'newPassword']);

/**
 * The body as compared for a reused key, with every secret field replaced by a marker: the
 * stored payload hash is an unsalted fast hash, which must not be computed over a password.
 * Two bodies that differ only in a secret count as the same request.
 */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, field]) => [
      name,
      SECRET_FIELDS.has(name) ? '[secret]' : redactSecrets(field),
    ]),
  );
}

/**
 * What a reused key is compared by when the body's secrets decide the outcome (a login, a
 * password change, a recovery): a repeat with another password is another request, refused as a
 * reused key, never answered with the first one's session. A digest keyed by the session secret,
 * so that the stored hash cannot be tried against guessed passwords.
 */
export const keyedPayload = (body: unknown): Promise<string> =>
  keyedDigest('idempotency-payload', JSON.stringify(body));

/**
 * Honours `Idempotency-Key`. `payload` turns the body into what a reused key is compared by;
 * by default the body with its secrets blanked, or `keyedPayload`.
 */
export const idempotent = (
  options: { payload?: (body: unknown) => Promise<unknown> } = {},
): middy.MiddlewareObj<HttpEvent, HttpResult, Error, Context> => {
  const powertools = makeHandlerIdempotent({
    persistenceStore: persistenceStore(),
    config: config(),
  });
  const comparable = options.payload ?? redactSecrets;
  return {
    before: async (request) => {
      const internal = request.internal as Record<string, unknown>;
      const context = request.event.requestContext as unknown as Record<string, unknown>;
      const caller = fromAuthorizerContext(request.event.requestContext?.authorizer?.lambda);
      context[ANONYMOUS_SOURCE] =
        caller.kind === 'anonymous' ? (request.event.requestContext?.http?.sourceIp ?? '') : '';
      // No body at all (absent on API Gateway, empty offline) compares as JSON null: Powertools
      // cannot hash an undefined payload.
      const { body } = request.event;
      context[REDACTED_BODY] = await comparable(body === undefined || body === '' ? null : body);
      const replay = await powertools.before?.(request as never);
      internal[HOLDS_RECORD] = true;
      return replay;
    },
    after: powertools.after as never,
    // Powertools deletes the key's record on any error, also when its own `before` refused the
    // request (a reused key, one still in progress): that would delete the first request's
    // record and let the next repeat run again. Only a request that took the record gives it up.
    onError: async (request) => {
      if ((request.internal as Record<string, unknown>)[HOLDS_RECORD] !== true) return;
      await powertools.onError?.(request as never);
    },
  };
};
