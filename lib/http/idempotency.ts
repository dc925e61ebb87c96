/**
 * `Idempotency-Key` on every POST (SPEC §3), with Powertools idempotency and the records in
 * the service's own table. The key is scoped to the caller, so two partners cannot collide;
 * the raw body is the payload: the same key with another body is refused. Failed requests
 * leave no record, so a corrected retry with the same key is carried out.
 */
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { dynamoDb } from '#lib/clients/dynamodb.ts';
import { AppError } from '#lib/errors.ts';
import { IDEMPOTENCY, keys } from '#lib/store/keys.ts';

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
    // Null (no header) skips idempotency; otherwise caller and key together name the request.
    eventKeyJmesPath:
      'headers."idempotency-key" && [requestContext.authorizer.lambda.kind, requestContext.authorizer.lambda.partnerId, headers."idempotency-key"]',
    payloadValidationJmesPath: 'body',
    expiresAfterSeconds: IDEMPOTENCY_WINDOW_SECONDS,
    throwOnNoIdempotencyKey: false,
  });

export const idempotent = () =>
  makeHandlerIdempotent({ persistenceStore: persistenceStore(), config: config() });

/** What Powertools throws, as the service's own errors. */
export function fromIdempotencyError(error: Error): AppError | null {
  switch (error.name) {
    case 'IdempotencyValidationError':
      return new AppError(422, 'IDEMPOTENCY_KEY_REUSED', {
        detail: 'This Idempotency-Key was used with another request body.',
      });
    case 'IdempotencyAlreadyInProgressError':
      return new AppError(409, 'IDEMPOTENCY_IN_PROGRESS', {
        detail: 'A request with this Idempotency-Key is still being processed; retry shortly.',
      });
    default:
      return null;
  }
}
