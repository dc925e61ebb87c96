import { getContact as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { getContact } from '#lib/provisioning/contacts.ts';

export const handler = route(operation, {
  handle: ({ scope, params }) => getContact(scope, params.contactId),
});
