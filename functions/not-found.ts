import { methodNotAllowed, routeNotFound } from '#lib/errors.ts';
import { fallbackRoute } from '#lib/http/handler.ts';
import { allowedMethods } from '#lib/http/methods.ts';

/**
 * Every request no operation serves: 405 with `Allow` on a path the API serves with other
 * methods, 404 otherwise; a problem document with a request id, like any other error.
 */
export const handler = fallbackRoute(async (event) => {
  const method = event.requestContext.http.method;
  const allowed = allowedMethods(event.rawPath);
  if (allowed.length > 0) throw methodNotAllowed(method, event.rawPath, allowed);
  throw routeNotFound(method, event.rawPath);
});
