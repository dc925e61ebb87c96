import { listWebhooks as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';
import { listPartnerWebhooks } from '#lib/provisioning/webhooks.ts';

export const handler = route(operation, {
  handle: ({ principal, query }) =>
    listPartnerWebhooks(partnerScope(principal), query.limit, query.cursor),
});
