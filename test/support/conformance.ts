/**
 * Checks a response against the OpenAPI document the API serves: its status is documented for
 * its operation, its content type and body match that response's schema, and it carries the
 * headers the document promises. Both HTTP tiers run every response through it
 * (test/e2e/helpers.ts over the network, ./gateway.ts in-process).
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import document from '../../client/openapi.json' with { type: 'json' };

type Json = Record<string, any>;

interface Documented {
  method: string;
  template: string;
  pattern: RegExp;
  operation: Json;
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
ajv.addSchema({ $id: 'openapi', components: document.components });

const operations: Documented[] = Object.entries(document.paths as Json).flatMap(
  ([template, item]) =>
    Object.entries(item as Json).map(([method, operation]) => ({
      method: method.toUpperCase(),
      template,
      pattern: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`),
      operation: operation as Json,
    })),
);

const validators = new Map<string, ValidateFunction>();

/** The schema with its `#/components/…` references pointed at the registered document. */
function validatorFor(key: string, schema: Json): ValidateFunction {
  let validate = validators.get(key);
  if (!validate) {
    const rebased = JSON.parse(
      JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/'),
    );
    validate = ajv.compile(rebased);
    validators.set(key, validate);
  }
  return validate;
}

export interface ObservedResponse {
  method: string;
  path: string;
  status: number;
  headers: Headers;
  body: unknown;
}

/** The ways a response differs from the document; none when it conforms. */
export function nonConformities(response: ObservedResponse): string[] {
  const { method, status, headers, body } = response;
  const path = response.path.split('?')[0] as string;
  const problems: string[] = [];
  if (!headers.get('x-request-id')) problems.push('no x-request-id header');
  const onPath = operations.filter((o) => o.pattern.test(path));
  const documented = onPath.find((o) => o.method === method);
  const contentType = headers.get('content-type') ?? '';
  if (!documented) {
    // A request no operation serves: 405 with Allow on a known path, 404 elsewhere.
    const expected = onPath.length > 0 ? 405 : 404;
    if (status !== expected) problems.push(`${method} ${path} is not served: expected ${expected}`);
    if (expected === 405) {
      const allow = (headers.get('allow') ?? '').split(/,\s*/).sort();
      const served = onPath.map((o) => o.method).sort();
      if (allow.join() !== served.join()) problems.push(`Allow "${allow}" is not "${served}"`);
    }
    return [...problems, ...problemDocument(contentType, body)];
  }
  const responses = documented.operation.responses as Json;
  const described = resolved(responses[String(status)] as Json | undefined);
  const name = `${method} ${documented.template} → ${status}`;
  if (!described) {
    return [...problems, `${name} is not documented (${JSON.stringify(body)})`];
  }
  for (const header of Object.keys(described.headers ?? {})) {
    if (!headers.get(header)) problems.push(`${name}: no ${header} header`);
  }
  const content = described.content as Json | undefined;
  if (!content) {
    if (body !== null && body !== '') problems.push(`${name}: a body where none is documented`);
    return problems;
  }
  const [mediaType, media] = Object.entries(content)[0] as [string, Json];
  if (!contentType.startsWith(mediaType)) {
    problems.push(`${name}: content type "${contentType}", documented "${mediaType}"`);
  }
  const validate = validatorFor(`${name} ${mediaType}`, media.schema);
  if (!validate(body)) {
    problems.push(
      `${name}: body does not match its schema: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(body).slice(0, 500)}`,
    );
  }
  return problems;
}

/** A response object, or the component its `$ref` names. */
function resolved(response: Json | undefined): Json | undefined {
  const name = /^#\/components\/responses\/(\w+)$/.exec(response?.$ref ?? '')?.[1];
  return name ? (document.components.responses as Json)[name] : response;
}

function problemDocument(contentType: string, body: unknown): string[] {
  if (!contentType.startsWith('application/problem+json')) {
    return [`content type "${contentType}" where a problem document is due`];
  }
  const validate = validatorFor('Problem', { $ref: '#/components/schemas/Problem' });
  return validate(body) ? [] : [`not a problem document: ${ajv.errorsText(validate.errors)}`];
}

/** Throws, naming every difference, when the response does not conform. */
export function assertConforms(response: ObservedResponse): void {
  const problems = nonConformities(response);
  if (problems.length > 0) {
    throw new Error(`Response drifts from the OpenAPI document:\n- ${problems.join('\n- ')}`);
  }
}
