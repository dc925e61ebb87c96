import { listEvents as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { listEvents } from '#lib/provisioning/events.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';

export const handler = route(operation, {
  handle: ({ principal, query }) => listEvents(partnerScope(principal), query),
});
