import { staffLogin as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { sessionReplay } from '#lib/http/session-replay.ts';
import { staffLogin } from '#lib/provisioning/staff-sessions.ts';

/** Public. A repeated request gets the same session again; its token is never stored. */
export const handler = route(operation, {
  idempotency: idempotent(),
  session: sessionReplay,
  handle: ({ body, source }) => staffLogin(body, new Date(), source),
});
