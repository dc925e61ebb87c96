import { listWebhookDeliveries as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';
import { listWebhookDeliveries } from '#lib/provisioning/webhook-delivery.ts';

export const handler = route(operation, {
  handle: ({ principal, params, query }) =>
    listWebhookDeliveries(partnerScope(principal), params.webhookId, query.limit, query.cursor),
});
