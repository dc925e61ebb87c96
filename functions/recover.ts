import { route } from '#lib/http/handler.ts';
import { idempotent, keyedPayload } from '#lib/http/idempotency.ts';
import { recover } from '#lib/provisioning/identity.ts';
import { recoverSchema } from '#lib/schemas.ts';

/** Public: a forgotten password replaced with the secret answer. */
export const handler = route({
  allow: ['anonymous'],
  body: recoverSchema,
  idempotency: idempotent({ payload: keyedPayload }),
  handle: async ({ body, source }) => {
    await recover(body, new Date(), source);
    return { status: 204, body: null };
  },
});
