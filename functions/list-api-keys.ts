import { listApiKeys as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { listPartnerApiKeys } from '#lib/provisioning/api-keys.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';

export const handler = route(operation, {
  handle: ({ principal, query }) =>
    listPartnerApiKeys(partnerScope(principal), query.limit, query.cursor),
});
