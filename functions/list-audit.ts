import { route } from '#lib/http/handler.ts';
import { listQuerySchema } from '#lib/schemas.ts';
import { listAudit, listCompanyAudit } from '#lib/store/audit.ts';

/** A partner reads its whole log; a company admin the entries about its own company. */
export const handler = route({
  allow: ['partner', 'companyAdmin'],
  query: listQuerySchema,
  handle: async ({ principal, query }) => ({
    status: 200,
    body:
      principal.kind === 'partner'
        ? await listAudit(principal.partnerId, query.limit, query.cursor)
        : await listCompanyAudit(
            principal.partnerId,
            principal.companyId,
            query.limit,
            query.cursor,
          ),
  }),
});
