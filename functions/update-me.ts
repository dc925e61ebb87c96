import { updateMe as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { updateMe } from '#lib/provisioning/identity.ts';

export const handler = route(operation, {
  handle: ({ principal, body }) => updateMe(principal, body),
});
