import { createApiKey as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { createPartnerApiKey } from '#lib/provisioning/api-keys.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';

export const handler = route(operation, {
  handle: ({ principal, body }) => createPartnerApiKey(partnerScope(principal), body),
  location: (key) => `/v1/api-keys/${key.id}`,
});
