/**
 * What Powertools idempotency throws, as the service's own errors. Apart from the middleware so
 * the error handler of every route can map them without loading Powertools idempotency.
 */
import { type AppError, idempotencyInProgress, idempotencyKeyReused } from '#lib/errors.ts';

export function fromIdempotencyError(error: Error): AppError | null {
  switch (error.name) {
    case 'IdempotencyValidationError':
      return idempotencyKeyReused();
    case 'IdempotencyAlreadyInProgressError':
      return idempotencyInProgress();
    default:
      return null;
  }
}
