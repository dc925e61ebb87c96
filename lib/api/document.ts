/**
 * The OpenAPI 3.1 document, generated from the operations (./operations.ts), the response
 * schemas (./responses.ts), the request schemas and the error catalogue (#lib/errors.ts).
 * `npm run client:generate` writes it to client/openapi.json, which the API serves; a test
 * fails when the committed file differs from what this builds.
 */
import * as z from 'zod/mini';
import * as catalogue from '#lib/errors.ts';
import { type ErrorCode, type ErrorFactory, isErrorFactory } from '#lib/errors.ts';
import { EVENT_TYPES } from '#lib/rules/events.ts';
import { ERROR_DESCRIPTIONS } from './error-descriptions.ts';
import { requestJsonSchema, responseJsonSchemas } from './json-schema.ts';
import type { Operation } from './operations.ts';
import * as definitions from './operations.ts';
import { eventSchemaName, eventSchemas } from './responses.ts';

type Json = Record<string, unknown>;

/** Every operation, in the order operations.ts defines them. */
export const OPERATIONS: readonly Operation[] = (Object.values(definitions) as unknown[]).filter(
  (value): value is Operation =>
    typeof value === 'object' && value !== null && 'operationId' in value,
);

/** Every error the service answers with, by code. */
export const ERRORS: ReadonlyMap<string, ErrorFactory> = new Map(
  (Object.values(catalogue) as unknown[])
    .filter(isErrorFactory)
    .map((factory) => [factory.code, factory]),
);

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
/** Callers that hold a session from a login: a temporary password gates them. */
const SESSION_KINDS = new Set([
  'companyAdmin',
  'backupUser',
  'owner',
  'admin',
  'operator',
  'billing',
]);
const STAFF_ROLES = new Set(['owner', 'admin', 'operator', 'billing']);

const pathParameters = (path: string) =>
  [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name as string);

/**
 * The codes an operation can answer: its own rules' and those that follow from what it is —
 * who may call it, whether it names ids, reads a body, honours Idempotency-Key, writes.
 */
export function errorCodesOf(operation: Operation): string[] {
  const codes = new Set<string>(['VALIDATION_FAILED']);
  if (!operation.allow.includes('anonymous')) {
    codes.add('UNAUTHORIZED');
    codes.add('FORBIDDEN');
    if (
      !operation.whilePasswordChangeRequired &&
      operation.allow.some((k) => SESSION_KINDS.has(k))
    ) {
      codes.add('PASSWORD_CHANGE_REQUIRED');
    }
    if (!operation.whileMfaEnrolmentRequired && operation.allow.some((k) => STAFF_ROLES.has(k))) {
      codes.add('MFA_ENROLMENT_REQUIRED');
    }
  }
  if (pathParameters(operation.path).length > 0) codes.add('NOT_FOUND');
  if (operation.idempotency) {
    codes.add('IDEMPOTENCY_KEY_REUSED');
    codes.add('IDEMPOTENCY_IN_PROGRESS');
  }
  if (operation.method !== 'GET') codes.add('CONFLICT');
  for (const code of operation.errors.flat()) codes.add(code);
  codes.add('INTERNAL_ERROR');
  return [...codes];
}

/** 'POOL_EXCEEDED' → 'PoolExceeded'. */
const pascal = (code: string) =>
  code
    .toLowerCase()
    .split('_')
    .map((word) => `${word.charAt(0).toUpperCase()}${word.slice(1)}`)
    .join('');

/**
 * The problem responses of an operation, by status. Each distinct one is a component: the
 * name of its code (or two), or of the operation and status when more codes share a status.
 */
function errorResponses(
  operation: Operation,
  components: Record<string, Json>,
): Record<string, Json> {
  const byStatus = new Map<number, string[]>();
  for (const code of errorCodesOf(operation)) {
    const factory = ERRORS.get(code);
    if (!factory)
      throw new Error(`${operation.operationId} names ${code}, which is not in the catalogue`);
    byStatus.set(factory.status, [...(byStatus.get(factory.status) ?? []), code]);
  }
  const responses: Record<string, Json> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const name =
      codes.length <= 2
        ? codes.map(pascal).join('Or')
        : `${pascal(operation.operationId.replace(/[A-Z]/g, (c) => `_${c}`))}${status}`;
    components[name] ??= {
      description: codes.map((code) => `\`${code}\`: ${ERRORS.get(code)?.title}`).join('; '),
      headers: {
        'x-request-id': { $ref: '#/components/headers/RequestId' },
        ...(status === 429 ? { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } : {}),
      },
      content: {
        'application/problem+json': {
          schema:
            codes.length === 1
              ? { allOf: [ref('Problem'), { properties: { code: { const: codes[0] } } }] }
              : { allOf: [ref('Problem'), { properties: { code: { enum: codes } } }] },
        },
      },
    };
    responses[String(status)] = { $ref: `#/components/responses/${name}` };
  }
  return responses;
}

const IDEMPOTENCY_KEY = {
  replay:
    'The same key with the same body within 24 h returns the first response and has no second effect, also when the first reply was lost; ' +
    'another body (one differing only in a password or secret answer included) is refused with 422 IDEMPOTENCY_KEY_REUSED, ' +
    'a request still in progress with 409 IDEMPOTENCY_IN_PROGRESS. Keys are scoped to the caller (on the public routes, to its address); ' +
    'a request that failed leaves no record, so a corrected retry with the same key is carried out.',
  session:
    'As for every POST, and the session token is never stored: a repeat gets the first reply with its token signed anew.',
};

/** Parameters every operation that has them shares, referenced from components. */
function sharedParameters(): Record<string, Json> {
  const shared: Record<string, Json> = {};
  for (const operation of OPERATIONS) {
    for (const name of pathParameters(operation.path)) {
      shared[pascal(name.replace(/[A-Z]/g, (c) => `_${c}`))] ??= {
        name,
        in: 'path',
        required: true,
        description: 'An id (ULID). One that does not exist, or is not the caller’s, answers 404.',
        schema: { type: 'string', pattern: '^[0-9A-HJKMNP-TV-Z]{26}$' },
      };
    }
  }
  for (const kind of ['replay', 'session'] as const) {
    shared[kind === 'replay' ? 'IdempotencyKey' : 'IdempotencyKeyOfSession'] = {
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: IDEMPOTENCY_KEY[kind],
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    };
  }
  return shared;
}

function parameters(operation: Operation): Json[] {
  const parameter = (name: string) => ({ $ref: `#/components/parameters/${name}` });
  const list: Json[] = pathParameters(operation.path).map((name) =>
    parameter(pascal(name.replace(/[A-Z]/g, (c) => `_${c}`))),
  );
  if (operation.query) {
    const query = requestJsonSchema(operation.query) as {
      properties?: Record<string, Json>;
      required?: string[];
    };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      const { description, ...rest } = schema as Json & { description?: string };
      list.push({
        name,
        in: 'query',
        required: query.required?.includes(name) ?? false,
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  if (operation.idempotency === 'replay') list.push(parameter('IdempotencyKey'));
  if (operation.idempotency === 'session') list.push(parameter('IdempotencyKeyOfSession'));
  return list;
}

function successResponse(operation: Operation): Json {
  const { status, body, description } = operation.response;
  const headers: Json = { 'x-request-id': { $ref: '#/components/headers/RequestId' } };
  if (status === 201) headers.Location = { $ref: '#/components/headers/Location' };
  return {
    description,
    headers,
    ...(body ? { content: { 'application/json': { schema: ref(body) } } } : {}),
  };
}

function operationObject(operation: Operation, components: Record<string, Json>): Json {
  const anonymous = operation.allow.includes('anonymous');
  const callers = anonymous ? 'anyone' : operation.allow.join(', ');
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    description: `${operation.description ? `${operation.description}\n\n` : ''}Callers: ${callers}.`,
    tags: [operation.tag],
    security: anonymous ? [] : [{ bearer: [] }],
    'x-callers': anonymous ? ['anyone'] : operation.allow,
    parameters: parameters(operation),
    ...(operation.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: requestJsonSchema(operation.body) } },
          },
        }
      : {}),
    responses: {
      [String(operation.response.status)]: successResponse(operation),
      ...errorResponses(operation, components),
    },
  };
}

const TAGS: Record<Operation['tag'], string> = {
  Companies: 'Customer companies, each with its admin account, contact and optional storage pool',
  Contacts: 'The people accounts are e-mailed about; one contact may serve several accounts',
  Accounts: 'Backup accounts: parents (one per plan) and their sub-accounts',
  Usage: 'What accounts store: the usage table and the storage service’s reports',
  Audit: 'Who did what, acting as whom',
  Sessions: 'Logging in, passwords, and logging in as a company admin',
  Self: 'A logged-in user’s own account',
  ApiKeys: 'The partner’s API keys: scopes full and read, managed by its owners and admins',
  Staff: 'The partner’s own people, who sign in with a role and a second factor',
  Events: 'What changed, as a feed to read and as webhooks (SPEC §9)',
  Webhooks:
    'Signed webhook endpoints (Standard Webhooks v1): registration, secrets, test events, the delivery log',
  Service: 'About the API itself',
};

export function openApiDocument(): Json {
  const paths: Record<string, Json> = {};
  const responses: Record<string, Json> = {};
  for (const operation of OPERATIONS) {
    paths[operation.path] ??= {};
    (paths[operation.path] as Json)[operation.method.toLowerCase()] = operationObject(
      operation,
      responses,
    );
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Backup provisioning API',
      version: '1.0.0',
      description: [
        'MSP partners provision customer companies, backup accounts and storage.',
        '',
        'Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `code`; each operation lists the codes it can answer per status.',
        'Every response carries `x-request-id` (the caller’s own, when it sends a valid one).',
        'Unknown body fields and unknown query parameters are refused with 400 `VALIDATION_FAILED` naming them.',
        'A path served with other methods answers 405 `METHOD_NOT_ALLOWED` with `Allow`; an unknown path 404 `NOT_FOUND`.',
        'Lists take `limit` (1–100, default 25) and `cursor`, and return `{ items, nextCursor }`.',
      ].join('\n'),
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
      contact: { name: 'Backup provisioning', email: 'api@backup-provisioning.dev' },
    },
    servers: [{ url: '/', description: 'The origin this document is served from' }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    webhooks: eventWebhooks(),
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A partner API key (scope `full` or `read`: callers `fullKey`, `readKey`), a staff session token (callers `owner`, `admin`, `operator`, `billing`), a storage-service key, or a session token from /v1/auth/login or impersonation',
        },
      },
      headers: {
        RequestId: {
          description: 'The request’s id, as logged: the caller’s own `x-request-id` when valid.',
          schema: { type: 'string' },
        },
        Location: { description: 'The new object’s URL.', schema: { type: 'string' } },
        RetryAfter: {
          description: 'Seconds to wait before trying again.',
          schema: { type: 'integer', minimum: 1 },
        },
      },
      schemas: responseJsonSchemas(),
      responses,
      parameters: sharedParameters(),
    },
  };
}

/**
 * What a partner's endpoint receives, one entry per event type: the event as the feed lists
 * it, signed as Standard Webhooks v1 says (SPEC §9).
 */
function eventWebhooks(): Record<string, Json> {
  const header = (name: string, description: string) => ({
    name,
    in: 'header',
    required: true,
    description,
    schema: { type: 'string' },
  });
  return Object.fromEntries(
    EVENT_TYPES.map((type) => {
      const name = eventSchemaName(type);
      const description = z.globalRegistry.get(
        eventSchemas.find((schema) => z.globalRegistry.get(schema)?.id === name) as z.ZodMiniType,
      )?.description;
      return [
        type,
        {
          post: {
            operationId: `on${name}`,
            summary: `\`${type}\``,
            description,
            tags: ['Events'],
            // The receiver authenticates the sender by the signature, not by a scheme.
            security: [],
            parameters: [
              header('webhook-id', 'The event id: the same on every retry; deduplicate on it.'),
              header('webhook-timestamp', 'When this attempt was signed, in Unix seconds.'),
              header(
                'webhook-signature',
                '`v1,<base64 HMAC-SHA256 of id.timestamp.body>`, space-separated; two during the 24 hours after a secret rotation.',
              ),
            ],
            requestBody: {
              required: true,
              content: { 'application/json': { schema: ref(name) } },
            },
            responses: {
              '200': { description: 'Received. Any 2xx within 15 seconds delivers the event.' },
              '410': { description: 'The endpoint is gone: it is disabled at once.' },
            },
          },
        },
      ];
    }),
  );
}

/** The error catalogue as a Markdown table, for the README: code, status, meaning, members. */
export function errorCatalogueMarkdown(): string {
  const rows = [...ERRORS.values()]
    .sort((a, b) => a.status - b.status || a.code.localeCompare(b.code))
    .map((factory) => [
      `\`${factory.code}\``,
      String(factory.status),
      ERROR_DESCRIPTIONS[factory.code as ErrorCode],
      Object.keys(factory.extensions ?? {})
        .map((name) => `\`${name}\``)
        .join(', '),
    ]);
  const header = ['code', 'status', 'meaning', 'extension members'];
  // Padded as the formatter pads a Markdown table, so the README stays as it writes it.
  const widths = header.map((title, i) =>
    Math.max(3, title.length, ...rows.map((row) => (row[i] as string).length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
  return `${[line(header), rule, ...rows.map(line)].join('\n')}\n`;
}
