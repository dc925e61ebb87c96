import { route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { createCompany } from '#lib/provisioning/companies.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';
import { createCompanySchema } from '#lib/schemas.ts';

export const handler = route({
  allow: ['partner'],
  idempotency: idempotent(),
  body: createCompanySchema,
  handle: async ({ principal, body }) => ({
    status: 201,
    body: await createCompany(partnerScope(principal), body),
  }),
});
