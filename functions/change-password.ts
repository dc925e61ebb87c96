import { route } from '#lib/http/handler.ts';
import { idempotent, keyedPayload } from '#lib/http/idempotency.ts';
import { sessionReplay } from '#lib/http/session-replay.ts';
import { changePassword } from '#lib/provisioning/identity.ts';
import { changePasswordSchema } from '#lib/schemas.ts';

/** The one route open to a temporary-password session; replies with a new session token. */
export const handler = route({
  allow: ['companyAdmin', 'backupUser'],
  whilePasswordChangeRequired: true,
  body: changePasswordSchema,
  idempotency: idempotent({ payload: keyedPayload }),
  session: sessionReplay,
  handle: async ({ principal, body, source }) => ({
    status: 200,
    body: await changePassword(principal, body, new Date(), source),
  }),
});
