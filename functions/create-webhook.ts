import { createWebhook as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';
import { createWebhook } from '#lib/provisioning/webhooks.ts';

export const handler = route(operation, {
  handle: ({ principal, body }) => createWebhook(partnerScope(principal), body),
  location: (webhook) => `/v1/webhooks/${webhook.id}`,
});
