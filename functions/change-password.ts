import { changePassword as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { sessionReplay } from '#lib/http/session-replay.ts';
import { changeOwnPassword } from '#lib/provisioning/staff-sessions.ts';

/** The one route open to a temporary-password session; replies with a new session token. */
export const handler = route(operation, {
  idempotency: idempotent(),
  session: sessionReplay,
  handle: ({ principal, body, source }) => changeOwnPassword(principal, body, new Date(), source),
});
