import { impersonate as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { sessionReplay } from '#lib/http/session-replay.ts';
import { impersonate } from '#lib/provisioning/identity.ts';

/** A repeated request gets the same session again, and is audited once; its token is never stored. */
export const handler = route(operation, {
  idempotency: idempotent(),
  session: sessionReplay,
  handle: ({ scope }) => impersonate(scope),
});
