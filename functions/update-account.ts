import { route } from '#lib/http/handler.ts';
import { updateAccount } from '#lib/provisioning/accounts.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';
import { updateAccountSchema } from '#lib/schemas.ts';

export const handler = route({
  allow: ['partner'],
  params: ['companyId', 'accountId'],
  body: updateAccountSchema,
  handle: async ({ principal, params, body }) => ({
    status: 200,
    body: await updateAccount(
      partnerScope(principal),
      params.companyId as string,
      params.accountId as string,
      body,
    ),
  }),
});
