import { getUsage as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { usageTable } from '#lib/provisioning/usage.ts';

export const handler = route(operation, { handle: ({ scope, query }) => usageTable(scope, query) });
