import { route } from '#lib/http/handler.ts';
import { getCompany } from '#lib/provisioning/companies.ts';
import { companyScope } from '#lib/provisioning/scope.ts';

export const handler = route({
  allow: ['partner', 'companyAdmin'],
  params: ['companyId'],
  handle: async ({ principal, params }) => ({
    status: 200,
    body: await getCompany(
      companyScope(principal, params.companyId as string),
      params.companyId as string,
    ),
  }),
});
