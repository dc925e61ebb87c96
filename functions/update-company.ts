import { route } from '#lib/http/handler.ts';
import { updateCompany } from '#lib/provisioning/companies.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';
import { updateCompanySchema } from '#lib/schemas.ts';

export const handler = route({
  allow: ['partner'],
  params: ['companyId'],
  body: updateCompanySchema,
  handle: async ({ principal, params, body }) => ({
    status: 200,
    body: await updateCompany(partnerScope(principal), params.companyId as string, body),
  }),
});
