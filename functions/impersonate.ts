import { route } from '#lib/http/handler.ts';
import { impersonate } from '#lib/provisioning/identity.ts';

/** Its reply is a session token, so it is never stored as an idempotent response. */
export const handler = route({
  allow: ['partner'],
  params: ['companyId'],
  handle: async ({ principal, params }) => ({
    status: 200,
    body: await impersonate(principal, params.companyId as string),
  }),
});
