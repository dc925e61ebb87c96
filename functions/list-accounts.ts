import { route } from '#lib/http/handler.ts';
import { listAccounts } from '#lib/provisioning/accounts.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';
import { listQuerySchema } from '#lib/schemas.ts';

export const handler = route({
  allow: ['partner'],
  params: ['companyId'],
  query: listQuerySchema,
  handle: async ({ principal, params, query }) => ({
    status: 200,
    body: await listAccounts(
      partnerScope(principal),
      params.companyId as string,
      query.limit,
      query.cursor,
    ),
  }),
});
