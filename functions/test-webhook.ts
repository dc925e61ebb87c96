import { testWebhook as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';
import { sendTestEvent } from '#lib/provisioning/webhooks.ts';

export const handler = route(operation, {
  handle: ({ principal, params }) => sendTestEvent(partnerScope(principal), params.webhookId),
});
