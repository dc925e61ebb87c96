import { listAudit as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { listAudit, listCompanyAudit } from '#lib/store/audit.ts';

/** A partner reads its whole log; a company admin the entries about its own company. */
export const handler = route(operation, {
  handle: ({ principal, query }) =>
    principal.kind === 'partner'
      ? listAudit(principal.partnerId, query.limit, query.cursor)
      : listCompanyAudit(principal.partnerId, principal.companyId, query.limit, query.cursor),
});
