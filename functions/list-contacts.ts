import { route } from '#lib/http/handler.ts';
import { listContacts } from '#lib/provisioning/contacts.ts';
import { companyScope } from '#lib/provisioning/scope.ts';
import { listQuerySchema } from '#lib/schemas.ts';

export const handler = route({
  allow: ['partner', 'companyAdmin'],
  params: ['companyId'],
  query: listQuerySchema,
  handle: async ({ principal, params, query }) => ({
    status: 200,
    body: await listContacts(
      companyScope(principal, params.companyId as string),
      params.companyId as string,
      query.limit,
      query.cursor,
    ),
  }),
});
