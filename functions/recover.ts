import { recover as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { recover } from '#lib/provisioning/identity.ts';

/** Public: a forgotten password replaced with the secret answer. */
export const handler = route(operation, {
  idempotency: idempotent(),
  handle: async ({ body, source }) => {
    await recover(body, new Date(), source);
    return undefined;
  },
});
