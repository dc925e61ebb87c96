import { route } from '#lib/http/handler.ts';
import { getCompany } from '#lib/provisioning/companies.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';

export const handler = route({
  allow: ['partner'],
  params: ['companyId'],
  handle: async ({ principal, params }) => ({
    status: 200,
    body: await getCompany(partnerScope(principal), params.companyId as string),
  }),
});
