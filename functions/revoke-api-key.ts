import { revokeApiKey as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { revokePartnerApiKey } from '#lib/provisioning/api-keys.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';

export const handler = route(operation, {
  handle: ({ principal, params }) => revokePartnerApiKey(partnerScope(principal), params.keyId),
});
