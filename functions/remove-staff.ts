import { removeStaff as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { removeStaff, staffScope } from '#lib/provisioning/staff.ts';

export const handler = route(operation, {
  handle: ({ principal, params }) => {
    const { scope, actor } = staffScope(principal);
    return removeStaff(scope, actor, params.staffId);
  },
});
