import { resetPassword as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { resetPassword } from '#lib/provisioning/identity.ts';

/** 202: the new temporary password is generated and e-mailed by the mailer. */
export const handler = route(operation, {
  // The key's record is completed in the transaction withdrawing the password, with this reply.
  idempotency: idempotent({ reply: { status: operation.response.status } }),
  handle: ({ scope, params }) => resetPassword(scope, params.accountId),
});
