import { route } from '#lib/http/handler.ts';
import { openApiDocument } from '#lib/http/openapi.ts';

/** The API description, public like any API reference; built once per container. */
let document: ReturnType<typeof openApiDocument> | undefined;

export const handler = route({
  allow: ['anonymous'],
  handle: async () => {
    document ??= openApiDocument();
    return { status: 200, body: document };
  },
});
