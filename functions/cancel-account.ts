import { cancelAccount as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { cancelAccount } from '#lib/provisioning/accounts.ts';

export const handler = route(operation, {
  handle: ({ scope, params }) => cancelAccount(scope, params.accountId),
});
