import { reportUsage as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { reportUsage } from '#lib/provisioning/usage.ts';

export const handler = route(operation, {
  idempotency: idempotent(),
  handle: ({ body }) => reportUsage(body.reports),
});
