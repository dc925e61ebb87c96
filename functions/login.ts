import { route } from '#lib/http/handler.ts';
import { idempotent, keyedPayload } from '#lib/http/idempotency.ts';
import { sessionReplay } from '#lib/http/session-replay.ts';
import { login } from '#lib/provisioning/identity.ts';
import { loginSchema } from '#lib/schemas.ts';

/** Public. A repeated request gets the same session again; its token is never stored. */
export const handler = route({
  allow: ['anonymous'],
  body: loginSchema,
  idempotency: idempotent({ payload: keyedPayload }),
  session: sessionReplay,
  handle: async ({ body, source }) => ({
    status: 200,
    body: await login(body, new Date(), source),
  }),
});
