import { createAccount as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { createAccount } from '#lib/provisioning/accounts.ts';

export const handler = route(operation, {
  idempotency: idempotent(),
  handle: ({ scope, body }) => createAccount(scope, body),
  location: ({ account }) => `/v1/companies/${account.companyId}/accounts/${account.id}`,
});
