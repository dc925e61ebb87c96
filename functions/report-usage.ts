import { route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { reportUsage } from '#lib/provisioning/usage.ts';
import { usageReportsSchema } from '#lib/schemas.ts';

export const handler = route({
  allow: ['storage'],
  idempotency: idempotent(),
  body: usageReportsSchema,
  handle: async ({ body }) => ({ status: 200, body: await reportUsage(body.reports) }),
});
