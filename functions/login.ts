import { route } from '#lib/http/handler.ts';
import { login } from '#lib/provisioning/identity.ts';
import { loginSchema } from '#lib/schemas.ts';

/** Public. Its reply is a session token, so it is never stored as an idempotent response. */
export const handler = route({
  allow: ['anonymous'],
  body: loginSchema,
  handle: async ({ body, source }) => ({
    status: 200,
    body: await login(body, new Date(), source),
  }),
});
