/**
 * What Powertools idempotency throws, as the service's own errors. Apart from the middleware so
 * the error handler of every route can map them without loading Powertools idempotency.
 */
import { AppError } from '#lib/errors.ts';

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
