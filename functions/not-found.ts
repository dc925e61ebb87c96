import { AppError } from '#lib/errors.ts';
import { route } from '#lib/http/handler.ts';

/** Every request no route matches: a problem document with a request id, like any other error. */
export const handler = route({
  allow: ['anonymous'],
  ignoresBody: true,
  handle: async ({ event }) => {
    throw new AppError(404, 'NOT_FOUND', {
      detail: `There is no ${event.requestContext.http.method} ${event.rawPath}.`,
    });
  },
});
