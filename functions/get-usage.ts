import { route } from '#lib/http/handler.ts';
import { companyScope } from '#lib/provisioning/scope.ts';
import { usageTable } from '#lib/provisioning/usage.ts';
import { listQuerySchema } from '#lib/schemas.ts';

export const handler = route({
  allow: ['partner', 'companyAdmin'],
  params: ['companyId'],
  query: listQuerySchema,
  handle: async ({ principal, params, query }) => ({
    status: 200,
    body: await usageTable(
      companyScope(principal, params.companyId as string),
      params.companyId as string,
      query,
    ),
  }),
});
