import { route } from '#lib/http/handler.ts';
import { cancelAccount } from '#lib/provisioning/accounts.ts';
import { companyScope } from '#lib/provisioning/scope.ts';

export const handler = route({
  allow: ['partner', 'companyAdmin'],
  params: ['companyId', 'accountId'],
  handle: async ({ principal, params }) => ({
    status: 200,
    body: await cancelAccount(
      companyScope(principal, params.companyId as string),
      params.companyId as string,
      params.accountId as string,
    ),
  }),
});
