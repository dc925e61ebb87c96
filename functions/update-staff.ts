import { updateStaff as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { staffScope, updateStaff } from '#lib/provisioning/staff.ts';

export const handler = route(operation, {
  handle: ({ principal, params, body }) => {
    const { scope, actor } = staffScope(principal);
    return updateStaff(scope, actor, params.staffId, body);
  },
});
