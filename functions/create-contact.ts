import { route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { createContact } from '#lib/provisioning/contacts.ts';
import { companyScope } from '#lib/provisioning/scope.ts';
import { contactSchema } from '#lib/schemas.ts';

export const handler = route({
  allow: ['partner', 'companyAdmin'],
  idempotency: idempotent(),
  params: ['companyId'],
  body: contactSchema,
  handle: async ({ principal, params, body }) => ({
    status: 201,
    body: await createContact(
      companyScope(principal, params.companyId as string),
      params.companyId as string,
      body,
    ),
  }),
});
