/**
 * JSON Schema (2020-12, as OpenAPI 3.1 takes it) from the zod schemas: request bodies as the
 * server reads them, and the response components, which refer to one another as
 * `#/components/schemas/<id>`.
 */
import * as z from 'zod/mini';
import { eventSchemas, type ResponseName, responseSchemas } from './responses.ts';

export type JsonSchema = Record<string, unknown>;

export const COMPONENTS_PREFIX = '#/components/schemas/';

/**
 * The schema of a request body, inline (request schemas carry no ids): what a client may send,
 * so the input side of every transform. Rules the server checks in code are carried by the
 * schema's own metadata (see lib/schemas.ts).
 */
export function requestJsonSchema(schema: z.ZodMiniType): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  return json;
}

/**
 * Every response schema as a component, keyed by its id. A schema nested in another (an
 * account's features, a list's items) is a `$ref` to its own component; there is no `$schema`
 * or `$id` inside a component (the document's dialect is OpenAPI 3.1's, JSON Schema 2020-12).
 */
export function responseJsonSchemas(): Record<ResponseName, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [name, schema] of Object.entries(responseSchemas)) {
    const id = z.globalRegistry.get(schema)?.id;
    if (id !== name) throw new Error(`Response schema ${name} is registered as ${String(id)}`);
    registry.add(schema, { id });
  }
  // Each event type's schema is a component of its own: the Event union and the webhooks name it.
  for (const schema of eventSchemas) {
    registry.add(schema, { id: z.globalRegistry.get(schema)?.id as string });
  }
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'output',
    uri: (id) => `${COMPONENTS_PREFIX}${id}`,
  });
  // Every schema reached is a component: nothing should be left in the shared definitions.
  if ('__shared' in schemas) throw new Error('A response schema refers to one that has no id.');
  const components: Record<string, JsonSchema> = {};
  for (const [name, json] of Object.entries(schemas)) {
    const { $schema: _dialect, $id: _id, ...component } = json as JsonSchema;
    components[name] = component;
  }
  return components as Record<ResponseName, JsonSchema>;
}
