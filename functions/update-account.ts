import { route } from '#lib/http/handler.ts';
import { updateAccount } from '#lib/provisioning/accounts.ts';
import { companyScope } from '#lib/provisioning/scope.ts';
import { updateAccountSchema } from '#lib/schemas.ts';

export const handler = route({
  allow: ['partner', 'companyAdmin'],
  params: ['companyId', 'accountId'],
  body: updateAccountSchema,
  handle: async ({ principal, params, body }) => ({
    status: 200,
    body: await updateAccount(
      companyScope(principal, params.companyId as string),
      params.companyId as string,
      params.accountId as string,
      body,
    ),
  }),
});
