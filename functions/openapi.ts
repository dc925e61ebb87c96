import { openApiDocument } from '#lib/http/openapi.ts';

/** The API description, public like any API reference; built once per container. */
let body: string | undefined;

export const handler = async () => {
  body ??= JSON.stringify(openApiDocument());
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body };
};
