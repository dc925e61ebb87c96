import { listContacts as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { listContacts } from '#lib/provisioning/contacts.ts';

export const handler = route(operation, {
  handle: ({ scope, query }) => listContacts(scope, query.limit, query.cursor),
});
