import { route } from '#lib/http/handler.ts';
import { cancelCompany } from '#lib/provisioning/companies.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';

export const handler = route({
  allow: ['partner'],
  params: ['companyId'],
  handle: async ({ principal, params }) => ({
    status: 200,
    body: await cancelCompany(partnerScope(principal), params.companyId as string),
  }),
});
