import { updateWebhook as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';
import { updateWebhook } from '#lib/provisioning/webhooks.ts';

export const handler = route(operation, {
  handle: ({ principal, params, body }) =>
    updateWebhook(partnerScope(principal), params.webhookId, body),
});
