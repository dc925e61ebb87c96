import { getMe as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { getMe } from '#lib/provisioning/identity.ts';

export const handler = route(operation, { handle: ({ principal }) => getMe(principal) });
