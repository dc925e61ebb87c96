import { retryWebhookDelivery as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';
import { retryWebhookDelivery } from '#lib/provisioning/webhook-delivery.ts';

export const handler = route(operation, {
  handle: ({ principal, params }) =>
    retryWebhookDelivery(partnerScope(principal), params.webhookId, params.deliveryId),
});
