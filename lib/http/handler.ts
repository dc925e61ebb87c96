/**
 * The HTTP edge every route handler is built with: header names lower-cased, request ids, body
 * size and depth limits and JSON parsing, caller checks, zod validation, and one error handler
 * that turns every failure into an RFC 9457 problem document.
 */
import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2WithLambdaAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type * as z from 'zod/mini';
import type { Operation, PathParams } from '#lib/api/operations.ts';
import type { ResponseBodies } from '#lib/api/responses.ts';
import {
  type CallerKind,
  type CompanyAdminPrincipal,
  callerKind,
  fromAuthorizerContext,
  isSession,
  type PartnerCallerKind,
  type PartnerPrincipal,
  type Principal,
} from '#lib/auth/principal.ts';
import { embeddedCounts } from '#lib/emf.ts';
import {
  AppError,
  forbidden,
  internalError,
  mfaEnrolmentRequired,
  notFound,
  passwordChangeRequired,
  unauthorized,
  validationFailed,
} from '#lib/errors.ts';
import { endInvocation } from '#lib/invocation.ts';
import { beginInvocation, logger } from '#lib/logger.ts';
import { type CompanyScope, companyScope } from '#lib/provisioning/scope.ts';
import { UNKNOWN_SOURCE } from '#lib/rules/rate-limit.ts';
import { fromIdempotencyError } from './idempotency-errors.ts';
import type { SessionReplay } from './session-replay.ts';
import { fieldErrors } from './validation.ts';

export type HttpEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<unknown>;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export const MAX_BODY_BYTES = 64 * 1024;
/**
 * How deeply objects and arrays may nest in a body. The deepest any operation reads is 3
 * (`{ reports: [{ … }] }`); 32 leaves room for any later schema, and keeps every step after the
 * check (zod, the idempotency layer's secret redaction, JSON.stringify) far from the stack's limit.
 */
export const MAX_BODY_DEPTH = 32;
const JSON_MEDIA_TYPE = /^application\/([a-z0-9.+-]+\+)?json(;|$)/i;
const ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:=-]{1,128}$/;

/** A staff role or key scope is a partner principal; every other kind is its own principal. */
type AllowedPrincipal<K extends CallerKind> = K extends PartnerCallerKind
  ? PartnerPrincipal
  : Extract<Principal, { kind: K }>;
type Middleware = middy.MiddlewareObj<HttpEvent, HttpResult, Error, Context>;
type Infer<S> = S extends z.ZodMiniType ? z.infer<S> : undefined;

/** The body an operation answers with, by its response's name in lib/api/responses.ts. */
export type ReplyBody<O extends Operation> = O['response']['body'] extends keyof ResponseBodies
  ? ResponseBodies[O['response']['body']]
  : undefined;

export interface RequestContext<O extends Operation> {
  principal: AllowedPrincipal<O['allow'][number]>;
  /**
   * On a company's routes, the tenant the request acts in, pinned to the company of the path:
   * a company admin reaching another company's id has been answered 404 before this exists.
   */
  scope: 'companyId' extends PathParams<O['path']> ? CompanyScope : undefined;
  body: Infer<O['body']>;
  query: Infer<O['query']>;
  /** Path parameters, checked to be well-formed ids (a malformed id cannot exist: 404). */
  params: Record<PathParams<O['path']>, string>;
  /** The caller's address as API Gateway saw it (the TCP peer, not a header it could forge). */
  source: string;
  event: HttpEvent;
}

/** What a function adds to its operation: the use case to call, and what only it should load. */
export type Wiring<O extends Operation> = {
  handle: (request: RequestContext<O>) => Promise<ReplyBody<O>>;
} & (O['idempotency'] extends 'replay' | 'session'
  ? {
      /** `idempotent()` from ./idempotency.ts: passed in so other functions do not load Powertools. */
      idempotency: Middleware;
    }
  : { idempotency?: never }) &
  (O['idempotency'] extends 'session'
    ? {
        /** `sessionReplay` from ./session-replay.ts: the stored reply holds no token signature. */
        session: SessionReplay;
      }
    : { session?: never }) &
  (O['response']['status'] extends 201
    ? {
        /** The new object's URL, for the `Location` header. */
        location: (body: ReplyBody<O>) => string;
      }
    : { location?: never });

interface EdgeOptions {
  allow: readonly CallerKind[];
  whilePasswordChangeRequired?: boolean | undefined;
  whileMfaEnrolmentRequired?: boolean | undefined;
  body?: z.ZodMiniType | undefined;
  query?: z.ZodMiniType | undefined;
  idempotency?: Middleware | undefined;
  session?: SessionReplay | undefined;
  /** Reads no body or query and refuses none (the route that answers paths no other serves). */
  ignoresRequest?: boolean;
  params: readonly string[];
  handle: (request: EdgeRequest) => Promise<HttpResult>;
}

interface EdgeRequest {
  principal: Principal;
  body: unknown;
  query: unknown;
  params: Record<string, string>;
  source: string;
  event: HttpEvent;
}

const pathParams = (path: string) =>
  [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name as string);

/** The handler of one operation of lib/api/operations.ts. */
export function route<const O extends Operation>(operation: O, wiring: Wiring<O>) {
  const { status } = operation.response;
  const location = (wiring as { location?: (body: unknown) => string }).location;
  return edge({
    allow: operation.allow,
    whilePasswordChangeRequired: operation.whilePasswordChangeRequired,
    whileMfaEnrolmentRequired: operation.whileMfaEnrolmentRequired,
    body: operation.body,
    query: operation.query,
    idempotency: wiring.idempotency,
    session: wiring.session,
    params: pathParams(operation.path),
    handle: async (request) => {
      const { principal, params } = request;
      const scope =
        params.companyId === undefined
          ? undefined
          : companyScope(principal as PartnerPrincipal | CompanyAdminPrincipal, params.companyId);
      const body = await wiring.handle({ ...request, scope } as unknown as RequestContext<O>);
      if (status === 204) return { statusCode: 204 };
      return {
        statusCode: status,
        headers: {
          'content-type': 'application/json',
          ...(location ? { location: location(body) } : {}),
        },
        body: JSON.stringify(body),
      };
    },
  });
}

/** The handler of the `$default` route: every request no operation serves. */
export const fallbackRoute = (handle: (event: HttpEvent) => Promise<never>) =>
  edge({
    allow: ['anonymous'],
    ignoresRequest: true,
    params: [],
    handle: ({ event }) => handle(event),
  });

function edge(options: EdgeOptions) {
  const admitted = new WeakMap<HttpEvent, Admission>();
  const read = new WeakMap<HttpEvent, { body: unknown; query: unknown }>();
  // The caller is checked before the body is read and before any idempotency record is written:
  // an unknown key gets 401 whatever it sends, and costs no write.
  const handler = middy<HttpEvent, HttpResult, Error, Context>()
    .use(httpEdge())
    .use({ before: (request) => void admitted.set(request.event, admit(options, request.event)) });
  // The request is read and validated before the idempotency layer: a refused body takes no
  // record (nothing is written), and that layer only ever walks a body of bounded depth.
  if (!options.ignoresRequest) {
    handler.use(bodyLimit()).use({
      before: (request) => void read.set(request.event, readRequest(options, request.event)),
    });
  }
  // The payload compared for a reused key is the parsed JSON document, not its spacing.
  if (options.idempotency) handler.use(options.idempotency);
  // Last, so that its `after` runs first: the reply is stored without its token's signature.
  if (options.session) handler.use(options.session.middleware);
  const routed = handler.handler(async (event) => {
    const { principal, params } = admitted.get(event) as Admission;
    const { body, query } = read.get(event) ?? { body: undefined, query: undefined };
    return options.handle({
      principal,
      body,
      query,
      params,
      source: event.requestContext?.http?.sourceIp ?? UNKNOWN_SOURCE,
      event,
    });
  });
  // A replayed idempotent response ends the chain in a `before`, so no `after` runs for it:
  // the request id is stamped here, outside middy, on every reply.
  return async (event: HttpEvent, context: Context): Promise<HttpResult> => {
    try {
      const replied = await routed(event, context);
      let response = replied;
      try {
        if (options.session) response = await options.session.finish(replied);
      } catch (error) {
        // Outside middy, so its error handler is not there to turn this into a problem document.
        response = problemFor(error, requestIdOf(event, context));
      }
      const requestId = response.headers?.['x-request-id'] ?? requestIdOf(event, context);
      return { ...response, headers: { ...response.headers, 'x-request-id': requestId } };
    } finally {
      // Metrics counted by the use case are published whatever the answer.
      endInvocation();
    }
  };
}

interface Admission {
  principal: Principal;
  params: Record<string, string>;
}

/**
 * Who may call the route (401, 403) and which ids it names (404 for one that cannot exist), in
 * that order: an unknown caller learns nothing about the ids it tries.
 */
function admit(
  options: Pick<
    EdgeOptions,
    'allow' | 'whilePasswordChangeRequired' | 'whileMfaEnrolmentRequired' | 'params'
  >,
  event: HttpEvent,
): Admission {
  const principal = fromAuthorizerContext(event.requestContext?.authorizer?.lambda);
  const allowed = options.allow;
  if (!allowed.includes('anonymous')) {
    if (principal.kind === 'anonymous') throw unauthorized();
    const signedIn = isSession(principal)
      ? principal
      : principal.kind === 'partner' && principal.via.type === 'staff'
        ? principal.via
        : null;
    if (signedIn && signedIn.expiresAtSeconds * 1000 <= Date.now()) {
      throw unauthorized('The session has expired: log in again.');
    }
    if (signedIn?.mustChangePassword && !options.whilePasswordChangeRequired) {
      throw passwordChangeRequired();
    }
    // A staff member without a second factor may only enrol one (SPEC §7).
    if (
      principal.kind === 'partner' &&
      principal.via.type === 'staff' &&
      !principal.via.mfaEnrolled &&
      !options.whileMfaEnrolmentRequired
    ) {
      throw mfaEnrolmentRequired();
    }
    if (!allowed.includes(callerKind(principal))) {
      throw forbidden('This route is not available to the caller.');
    }
  }
  const params: Record<string, string> = {};
  for (const name of options.params) {
    const value = event.pathParameters?.[name];
    if (!value || !ID_PATTERN.test(value)) throw notFound('Resource');
    params[name] = value;
  }
  return { principal, params };
}

/**
 * The body and query as the route reads them, validated. The parsed body replaces the raw one on
 * the event, for the idempotency layer to compare.
 */
function readRequest(options: Pick<EdgeOptions, 'body' | 'query'>, event: HttpEvent) {
  let body: unknown;
  if (options.body) {
    const parsed = parseJsonBody(event);
    (event as { body: unknown }).body = parsed;
    body = validate(options.body, parsed, '');
  } else {
    body = refuseBody(event);
  }
  const query = options.query
    ? validate(options.query, event.queryStringParameters ?? {}, 'query.')
    : refuseQuery(event);
  return { body, query };
}

const notJson = () =>
  validationFailed([{ path: 'body', message: 'The body must be a valid JSON document.' }]);

/**
 * The body as a JSON document of bounded depth. JSON.parse makes `__proto__` an own property
 * like any other name, so the schema names it as an unknown field; nothing is merged into a
 * prototype.
 */
function parseJsonBody(event: HttpEvent): unknown {
  if (!JSON_MEDIA_TYPE.test(event.headers?.['content-type'] ?? '')) {
    throw validationFailed([{ path: 'body', message: 'Content-Type must be application/json.' }]);
  }
  if (event.body === undefined) throw notJson();
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody(event).toString('utf8'));
  } catch {
    throw notJson();
  }
  const tooDeep = fieldNestedTooDeep(parsed, MAX_BODY_DEPTH);
  if (tooDeep !== null) {
    throw validationFailed([
      { path: tooDeep, message: `Nested deeper than ${MAX_BODY_DEPTH} levels.` },
    ]);
  }
  return parsed;
}

/**
 * The top-level field under which `value` nests objects and arrays more than `limit` levels deep
 * (`body` when the body itself does), or null. With a stack of its own, not recursion: any depth
 * a body can have is measured, not overflowed.
 */
function fieldNestedTooDeep(value: unknown, limit: number): string | null {
  if (value === null || typeof value !== 'object') return null;
  const pending: Array<[node: object, depth: number, field: string]> = [[value, 1, 'body']];
  while (pending.length > 0) {
    const [node, depth, field] = pending.pop() as [object, number, string];
    if (depth > limit) return field;
    const topLevel = depth === 1 && !Array.isArray(node);
    for (const [name, child] of Object.entries(node)) {
      if (child !== null && typeof child === 'object') {
        pending.push([child, depth + 1, topLevel ? name : field]);
      }
    }
  }
  return null;
}

/**
 * A route that takes no body accepts none, or an empty JSON object: anything else is refused
 * like an unknown field on any other route, so a mistaken call is not carried out as another.
 */
function refuseBody(event: HttpEvent): undefined {
  const raw = rawBody(event).toString('utf8');
  if (raw.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const fields = Object.keys(parsed);
    if (fields.length === 0) return undefined;
    throw validationFailed(fields.map((path) => ({ path, message: 'Unknown field.' })));
  }
  throw validationFailed([{ path: 'body', message: 'This request takes no body.' }]);
}

/**
 * A route without query parameters refuses any, like an unknown field of a body: a mistyped
 * `?limt=5` is answered, not silently ignored.
 */
function refuseQuery(event: HttpEvent): undefined {
  const names = Object.keys(event.queryStringParameters ?? {});
  if (names.length === 0) return undefined;
  throw validationFailed(
    names.map((name) => ({ path: `query.${name}`, message: 'Unknown query parameter.' })),
  );
}

function validate<S extends z.ZodMiniType>(schema: S, input: unknown, prefix: string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw validationFailed(fieldErrors(parsed.error, prefix));
  return parsed.data;
}

/** The body's bytes as the caller sent them (API Gateway may pass them base64-encoded). */
const rawBody = (event: HttpEvent): Buffer =>
  Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');

function bodyLimit(): middy.MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: (request) => {
      const size = rawBody(request.event).length;
      if (size > MAX_BODY_BYTES) {
        throw validationFailed(
          [
            {
              path: 'body',
              message: `The body is ${size} bytes; at most ${MAX_BODY_BYTES} are accepted.`,
            },
          ],
          'The request body is too large.',
        );
      }
    },
  };
}

function requestIdOf(event: HttpEvent, context: Context): string {
  const given = event.headers?.['x-request-id'];
  if (given && REQUEST_ID_PATTERN.test(given)) return given;
  // The invocation's id is unique everywhere (serverless-offline gives every request the same
  // API Gateway request id) and is the one Powertools writes on every log line.
  return context.awsRequestId;
}

export function problemFor(error: unknown, requestId: string): HttpResult {
  const known = error instanceof AppError ? error : fromIdempotencyError(error as Error);
  const problem = known ?? internalError();
  if (!known) {
    // Only the name, message and stack: a cause may carry the request body.
    const e = error as Error;
    // The line also counts a ServerErrors metric (embedded metric format), so that no function
    // bundles Powertools Metrics for it.
    logger().error('Unhandled error', {
      requestId,
      error: { name: e?.name, message: e?.message, stack: e?.stack },
      ...embeddedCounts({ ServerErrors: 1 }),
    });
  }
  const retryAfter = problem.extensions.retryAfterSeconds;
  return {
    statusCode: problem.status,
    headers: {
      'content-type': 'application/problem+json',
      'x-request-id': requestId,
      ...problem.headers,
      ...(typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : {}),
    },
    body: JSON.stringify({
      type: `https://errors.backup-provisioning.dev/${problem.code.toLowerCase().replaceAll('_', '-')}`,
      title: problem.title,
      status: problem.status,
      code: problem.code,
      detail: problem.detail,
      errors: problem.errors,
      ...problem.extensions,
    }),
  };
}

function httpEdge(): middy.MiddlewareObj<HttpEvent, HttpResult, Error, Context> {
  return {
    before: (request) => {
      const requestId = requestIdOf(request.event, request.context);
      (request.internal as Record<string, unknown>).requestId = requestId;
      beginInvocation(request.context, { requestId });
      // API Gateway gives header names lower-cased, serverless-offline as the client sent them:
      // everything after this step reads them lower-cased.
      if (request.event.headers) request.event.headers = lowerCaseNames(request.event.headers);
    },
    onError: (request) => {
      const requestId =
        ((request.internal as Record<string, unknown>).requestId as string | undefined) ??
        requestIdOf(request.event, request.context);
      request.response = problemFor(request.error, requestId);
    },
  };
}

function lowerCaseNames(headers: HttpEvent['headers']): HttpEvent['headers'] {
  const lowerCased: HttpEvent['headers'] = Object.create(null);
  for (const name in headers) lowerCased[name.toLowerCase()] = headers[name];
  return lowerCased;
}
