import { testWebhook as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';
import { sendTestEvent } from '#lib/provisioning/webhooks.ts';

export const handler = route(operation, {
  // The key's record is completed in the transaction writing the test event, with this reply.
  idempotency: idempotent({ reply: { status: operation.response.status } }),
  handle: ({ principal, params }) => sendTestEvent(partnerScope(principal), params.webhookId),
});
