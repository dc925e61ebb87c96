import { getAccount as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { getAccount } from '#lib/provisioning/accounts.ts';

export const handler = route(operation, {
  handle: ({ scope, params }) => getAccount(scope, params.accountId),
});
