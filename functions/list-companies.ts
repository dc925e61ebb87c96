import { route } from '#lib/http/handler.ts';
import { listCompanies } from '#lib/provisioning/companies.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';
import { listQuerySchema } from '#lib/schemas.ts';

export const handler = route({
  allow: ['partner'],
  query: listQuerySchema,
  handle: async ({ principal, query }) => ({
    status: 200,
    body: await listCompanies(partnerScope(principal), query.limit, query.cursor),
  }),
});
