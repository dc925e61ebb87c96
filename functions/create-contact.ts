import { createContact as operation } from '#lib/api/operations.ts';
import { type ReplyBody, route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { createContact } from '#lib/provisioning/contacts.ts';

const location = (contact: ReplyBody<typeof operation>) =>
  `/v1/companies/${contact.companyId}/contacts/${contact.id}`;

export const handler = route(operation, {
  // The key's record is completed in the transaction creating the contact, with this reply.
  idempotency: idempotent({ reply: { status: operation.response.status, location } }),
  handle: ({ scope, body }) => createContact(scope, body),
  location,
});
