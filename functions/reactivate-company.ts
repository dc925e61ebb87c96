import { reactivateCompany as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { changeCompanySuspension } from '#lib/provisioning/companies.ts';

export const handler = route(operation, {
  // The key's record is completed in the transaction that changes the suspension, with this reply.
  idempotency: idempotent({ reply: { status: operation.response.status } }),
  handle: ({ scope, body }) => changeCompanySuspension(scope, 'reactivate', body),
});
