import { route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { resetPassword } from '#lib/provisioning/identity.ts';
import { companyScope } from '#lib/provisioning/scope.ts';

/** 202: the new temporary password is generated and e-mailed by the mailer. */
export const handler = route({
  allow: ['partner', 'companyAdmin'],
  idempotency: idempotent(),
  params: ['companyId', 'accountId'],
  handle: async ({ principal, params }) => ({
    status: 202,
    body: await resetPassword(
      companyScope(principal, params.companyId as string),
      params.companyId as string,
      params.accountId as string,
    ),
  }),
});
