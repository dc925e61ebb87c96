import { createContact as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { createContact } from '#lib/provisioning/contacts.ts';

export const handler = route(operation, {
  idempotency: idempotent(),
  handle: ({ scope, body }) => createContact(scope, body),
  location: (contact) => `/v1/companies/${contact.companyId}/contacts/${contact.id}`,
});
