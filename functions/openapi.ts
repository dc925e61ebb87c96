import document from '#client/openapi.json' with { type: 'json' };
import { getOpenApi as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';

/** The API description, public like any API reference: the committed, generated document. */
export const handler = route(operation, { handle: async () => document });
