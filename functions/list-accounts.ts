import { listAccounts as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { listAccounts } from '#lib/provisioning/accounts.ts';

export const handler = route(operation, {
  handle: ({ scope, query }) => listAccounts(scope, query.limit, query.cursor),
});
