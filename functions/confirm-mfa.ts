import { confirmMfa as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { confirmMfa } from '#lib/provisioning/staff-sessions.ts';

/** Turns MFA on; the recovery codes are in this reply only. */
export const handler = route(operation, {
  handle: ({ principal, body, source }) => confirmMfa(principal, body, new Date(), source),
});
