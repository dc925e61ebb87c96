import { route } from '#lib/http/handler.ts';
import { createAccount } from '#lib/provisioning/accounts.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';
import { createAccountSchema } from '#lib/schemas.ts';

export const handler = route({
  allow: ['partner'],
  idempotent: true,
  params: ['companyId'],
  body: createAccountSchema,
  handle: async ({ principal, params, body }) => ({
    status: 201,
    body: await createAccount(partnerScope(principal), params.companyId as string, body),
  }),
});
