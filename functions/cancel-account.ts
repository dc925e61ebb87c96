import { route } from '#lib/http/handler.ts';
import { cancelAccount } from '#lib/provisioning/accounts.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';

export const handler = route({
  allow: ['partner'],
  params: ['companyId', 'accountId'],
  handle: async ({ principal, params }) => ({
    status: 200,
    body: await cancelAccount(
      partnerScope(principal),
      params.companyId as string,
      params.accountId as string,
    ),
  }),
});
