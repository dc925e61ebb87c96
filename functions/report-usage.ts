import { reportUsage as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { reportUsage } from '#lib/provisioning/usage.ts';

export const handler = route(operation, {
  // The key's record is completed in the transaction applying the figures, with this reply.
  idempotency: idempotent({ reply: { status: operation.response.status } }),
  handle: ({ body }) => reportUsage(body.reports),
});
