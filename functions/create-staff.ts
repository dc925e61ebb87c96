import { createStaff as operation } from '#lib/api/operations.ts';
import { type ReplyBody, route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { inviteStaff, staffScope } from '#lib/provisioning/staff.ts';

const location = (staff: ReplyBody<typeof operation>) => `/v1/staff/${staff.id}`;

export const handler = route(operation, {
  // The key's record is completed in the transaction creating the staff member, with this reply.
  idempotency: idempotent({ reply: { status: operation.response.status, location } }),
  handle: ({ principal, body }) => {
    const { scope, actor } = staffScope(principal);
    return inviteStaff(scope, actor, body);
  },
  location,
});
