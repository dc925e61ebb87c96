import { route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { createAccount } from '#lib/provisioning/accounts.ts';
import { companyScope } from '#lib/provisioning/scope.ts';
import { createAccountSchema } from '#lib/schemas.ts';

export const handler = route({
  allow: ['partner', 'companyAdmin'],
  idempotency: idempotent(),
  params: ['companyId'],
  body: createAccountSchema,
  handle: async ({ principal, params, body }) => ({
    status: 201,
    body: await createAccount(
      companyScope(principal, params.companyId as string),
      params.companyId as string,
      body,
    ),
  }),
});
