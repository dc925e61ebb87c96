/**
 * The methods each path of the API serves, for the `$default` route's 405. The deployment gives
 * them to that function as `ROUTE_METHODS` (see resources/route-methods.cjs), taken from the
 * OpenAPI document, so this function's bundle carries no copy of the operations.
 */
type Table = { pattern: RegExp; methods: string[] }[];

let table: Table | undefined;

function routeTable(): Table {
  const given = JSON.parse(process.env.ROUTE_METHODS || '{}') as Record<string, string[]>;
  return Object.entries(given).map(([template, methods]) => ({
    pattern: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`),
    methods,
  }));
}

/** The methods served at this path, in the document's order; none for a path the API lacks. */
export function allowedMethods(path: string): string[] {
  table ??= routeTable();
  return table.find(({ pattern }) => pattern.test(path))?.methods ?? [];
}
