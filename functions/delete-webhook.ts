import { deleteWebhook as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';
import { removeWebhook } from '#lib/provisioning/webhooks.ts';

export const handler = route(operation, {
  handle: ({ principal, params }) => removeWebhook(partnerScope(principal), params.webhookId),
});
