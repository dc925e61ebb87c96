import { route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { sessionReplay } from '#lib/http/session-replay.ts';
import { impersonate } from '#lib/provisioning/identity.ts';

/** A repeated request gets the same session again, and is audited once; its token is never stored. */
export const handler = route({
  allow: ['partner'],
  params: ['companyId'],
  idempotency: idempotent(),
  session: sessionReplay,
  handle: async ({ principal, params }) => ({
    status: 200,
    body: await impersonate(principal, params.companyId as string),
  }),
});
