import { updateAccount as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { updateAccount } from '#lib/provisioning/accounts.ts';

export const handler = route(operation, {
  handle: ({ scope, params, body }) => updateAccount(scope, params.accountId, body),
});
