/**
 * The HTTP edge every route handler is built with: header normalisation, request ids, body
 * size limit and JSON parsing, caller checks, zod validation, and one error handler that turns
 * every failure into an RFC 9457 problem document.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type {
  APIGatewayProxyEventV2WithLambdaAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type * as z from 'zod/mini';
import {
  fromAuthorizerContext,
  isSession,
  type Principal,
  type PrincipalKind,
} from '#lib/auth/principal.ts';
import { AppError, forbidden, notFound, unauthorized, validationFailed } from '#lib/errors.ts';
import { logger } from '#lib/logger.ts';
import { UNKNOWN_SOURCE } from '#lib/rules/rate-limit.ts';
import { fromIdempotencyError } from './idempotency-errors.ts';
import type { SessionReplay } from './session-replay.ts';
import { fieldErrors } from './validation.ts';

export type HttpEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<unknown>;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export const MAX_BODY_BYTES = 64 * 1024;
const ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:=-]{1,128}$/;

export interface Reply {
  status: number;
  body: unknown;
}

export interface RequestContext<P extends Principal, B, Q> {
  principal: P;
  body: B;
  query: Q;
  /** Path parameters, checked to be well-formed ids (a malformed id cannot exist: 404). */
  params: Record<string, string>;
  /** The caller's address as API Gateway saw it (the TCP peer, not a header it could forge). */
  source: string;
  event: HttpEvent;
}

type AllowedPrincipal<K extends PrincipalKind> = Extract<Principal, { kind: K }>;

export interface RouteOptions<
  K extends PrincipalKind,
  BS extends z.ZodMiniType | undefined,
  QS extends z.ZodMiniType | undefined,
> {
  /** Who may call; `anonymous` makes the route public (login, recovery). */
  allow: readonly K[];
  /** Open to a session from a temporary password (only the password change is). */
  whilePasswordChangeRequired?: boolean;
  body?: BS;
  query?: QS;
  /**
   * Honours `Idempotency-Key` (every POST that stores its reply): `idempotent()` from
   * ./idempotency.ts, passed in by the function so that others do not load Powertools for it.
   */
  idempotency?: middy.MiddlewareObj<HttpEvent, HttpResult, Error, Context>;
  /** For a reply holding a session token: `sessionReplay` from ./session-replay.ts. */
  session?: SessionReplay;
  /** Reads no body and refuses none (the route that answers paths no other route serves). */
  ignoresBody?: boolean;
  /** Path parameters that hold ids. */
  params?: readonly string[];
  handle: (
    request: RequestContext<
      AllowedPrincipal<K>,
      BS extends z.ZodMiniType ? z.infer<BS> : undefined,
      QS extends z.ZodMiniType ? z.infer<QS> : undefined
    >,
  ) => Promise<Reply>;
}

export function route<
  K extends PrincipalKind,
  BS extends z.ZodMiniType | undefined = undefined,
  QS extends z.ZodMiniType | undefined = undefined,
>(options: RouteOptions<K, BS, QS>) {
  const admitted = new WeakMap<HttpEvent, Admission>();
  // The caller is checked before the body is read and before any idempotency record is written:
  // an unknown key gets 401 whatever it sends, and costs no write.
  const handler = middy<HttpEvent, HttpResult, Error, Context>()
    .use(httpEdge())
    .use(httpHeaderNormalizer())
    .use({ before: (request) => void admitted.set(request.event, admit(options, request.event)) });
  if (!options.ignoresBody) handler.use(bodyLimit());
  if (options.body) handler.use(httpJsonBodyParser());
  // After parsing: the payload compared for a reused key is the JSON document, not its spacing.
  if (options.idempotency) handler.use(options.idempotency);
  // Last, so that its `after` runs first: the reply is stored without its token's signature.
  if (options.session) handler.use(options.session.middleware);
  const routed = handler.handler(async (event) => {
    const { principal, params } = admitted.get(event) as Admission;
    const body = options.body
      ? validate(options.body, event.body, '')
      : options.ignoresBody
        ? undefined
        : refuseBody(event);
    const query = options.query
      ? validate(options.query, event.queryStringParameters ?? {}, 'query.')
      : undefined;
    const reply = await options.handle({
      principal: principal as AllowedPrincipal<K>,
      body: body as never,
      query: query as never,
      params,
      source: event.requestContext?.http?.sourceIp ?? UNKNOWN_SOURCE,
      event,
    });
    if (reply.status === 204) return { statusCode: 204 };
    return {
      statusCode: reply.status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(reply.body),
    };
  });
  // A replayed idempotent response ends the chain in a `before`, so no `after` runs for it:
  // the request id is stamped here, outside middy, on every reply.
  return async (event: HttpEvent, context: Context): Promise<HttpResult> => {
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
  options: {
    allow: readonly PrincipalKind[];
    whilePasswordChangeRequired?: boolean;
    params?: readonly string[];
  },
  event: HttpEvent,
): Admission {
  const principal = fromAuthorizerContext(event.requestContext?.authorizer?.lambda);
  const allowed = options.allow;
  if (!allowed.includes('anonymous')) {
    if (principal.kind === 'anonymous') throw unauthorized();
    if (isSession(principal) && principal.expiresAtSeconds * 1000 <= Date.now()) {
      throw unauthorized('The session has expired: log in again.');
    }
    if (
      isSession(principal) &&
      principal.mustChangePassword &&
      !options.whilePasswordChangeRequired
    ) {
      throw passwordChangeRequired();
    }
    if (!allowed.includes(principal.kind)) {
      throw forbidden('This route is not available to the caller.');
    }
  }
  const params: Record<string, string> = {};
  for (const name of options.params ?? []) {
    const value = event.pathParameters?.[name];
    if (!value || !ID_PATTERN.test(value)) throw notFound('Resource');
    params[name] = value;
  }
  return { principal, params };
}

const passwordChangeRequired = () =>
  new AppError(403, 'PASSWORD_CHANGE_REQUIRED', {
    detail:
      'This session holds a temporary password: choose a new one with POST /v1/auth/password first.',
  });

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

/** Turns what the body parser throws into our validation error. */
function fromMiddyError(error: Error & { statusCode?: number }): AppError | null {
  if (error.statusCode === 415) {
    return validationFailed([{ path: 'body', message: 'Content-Type must be application/json.' }]);
  }
  if (error.statusCode === 422 || error.statusCode === 400) {
    return validationFailed([{ path: 'body', message: 'The body must be a valid JSON document.' }]);
  }
  return null;
}

export function problemFor(error: unknown, requestId: string): HttpResult {
  const known =
    error instanceof AppError
      ? error
      : (fromIdempotencyError(error as Error) ??
        fromMiddyError(error as Error & { statusCode?: number }));
  const problem =
    known ?? new AppError(500, 'INTERNAL_ERROR', { detail: 'An unexpected error occurred.' });
  if (!known) {
    // Only the name, message and stack: a cause may carry the request body.
    const e = error as Error;
    logger().error('Unhandled error', {
      requestId,
      error: { name: e?.name, message: e?.message, stack: e?.stack },
    });
  }
  const retryAfter = problem.extensions.retryAfterSeconds;
  return {
    statusCode: problem.status,
    headers: {
      'content-type': 'application/problem+json',
      'x-request-id': requestId,
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
    },
    onError: (request) => {
      const requestId =
        ((request.internal as Record<string, unknown>).requestId as string | undefined) ??
        requestIdOf(request.event, request.context);
      request.response = problemFor(request.error, requestId);
    },
  };
}
