import { route } from '#lib/http/handler.ts';
import { createContact } from '#lib/provisioning/contacts.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';
import { contactSchema } from '#lib/schemas.ts';

export const handler = route({
  allow: ['partner'],
  idempotent: true,
  params: ['companyId'],
  body: contactSchema,
  handle: async ({ principal, params, body }) => ({
    status: 201,
    body: await createContact(partnerScope(principal), params.companyId as string, body),
  }),
});
