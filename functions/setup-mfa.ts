import { setupMfa as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { setupMfa } from '#lib/provisioning/staff-sessions.ts';

/** Open to a staff session without a second factor; the secret is in this reply only. */
export const handler = route(operation, {
  handle: ({ principal }) => setupMfa(principal),
});
