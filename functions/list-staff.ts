import { listStaff as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { listStaff, staffScope } from '#lib/provisioning/staff.ts';

export const handler = route(operation, {
  handle: ({ principal, query }) =>
    listStaff(staffScope(principal).scope, query.limit, query.cursor),
});
