import { listCompanies as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { listCompanies } from '#lib/provisioning/companies.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';

export const handler = route(operation, {
  handle: ({ principal, query }) =>
    listCompanies(partnerScope(principal), query.limit, query.cursor),
});
