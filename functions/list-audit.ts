import { route } from '#lib/http/handler.ts';
import { listQuerySchema } from '#lib/schemas.ts';
import { listAudit } from '#lib/store/audit.ts';

export const handler = route({
  allow: ['partner'],
  query: listQuerySchema,
  handle: async ({ principal, query }) => ({
    status: 200,
    body: await listAudit(principal.partnerId, query.limit, query.cursor),
  }),
});
