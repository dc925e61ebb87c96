import { createAccount as operation } from '#lib/api/operations.ts';
import { type ReplyBody, route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { createAccount } from '#lib/provisioning/accounts.ts';

const location = ({ account }: ReplyBody<typeof operation>) =>
  `/v1/companies/${account.companyId}/accounts/${account.id}`;

export const handler = route(operation, {
  // The key's record is completed in the transaction creating the account, with this reply.
  idempotency: idempotent({ reply: { status: operation.response.status, location } }),
  handle: ({ scope, body }) => createAccount(scope, body),
  location,
});
