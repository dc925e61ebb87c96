/**
 * API Gateway in-process, for the integration tier: a request is matched against the routes
 * serverless.yml wires, sent through the real authorizer function when its route has one, then
 * to the route's own function module, or to the `$default` route's when none matches. Requests
 * and replies take the HTTP API (payload 2.0) shapes, so the functions run as deployed, against
 * DynamoDB Local, without a stack. Every reply is held to the served OpenAPI document.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
  Context,
} from 'aws-lambda';
import { parse } from 'yaml';
import { assertConforms } from './conformance.ts';
import { type CallOptions, type HttpReply, httpFixtures, parseBody } from './http-fixtures.ts';
import { lambdaContext } from './lambda-context.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown>;
type HttpApiEvent = string | { method: string; path: string; authorizer?: { name: string } };

interface FunctionDefinition {
  handler: string;
  events?: Array<{ httpApi?: HttpApiEvent }>;
}

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  params: string[];
  handler: string;
  authorizer: string | undefined;
}

const serverless = parse(
  readFileSync(new URL('../../serverless.yml', import.meta.url), 'utf8'),
  // CloudFormation's short tags (!GetAtt, !Sub) mean nothing here.
  { logLevel: 'error' },
) as {
  provider: { httpApi: { authorizers: Record<string, { functionName: string }> } };
  functions: Record<string, FunctionDefinition>;
};

const routes: Route[] = [];
let defaultRoute: string | undefined;
for (const definition of Object.values(serverless.functions)) {
  for (const { httpApi } of definition.events ?? []) {
    if (httpApi === undefined) continue;
    if (typeof httpApi === 'string') {
      defaultRoute = definition.handler;
      continue;
    }
    routes.push({
      method: httpApi.method.toUpperCase(),
      template: httpApi.path,
      pattern: new RegExp(`^${httpApi.path.replace(/\{\w+\}/g, '([^/]+)')}$`),
      params: [...httpApi.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name as string),
      handler: definition.handler,
      authorizer: httpApi.authorizer?.name,
    });
  }
}
// A path without parameters is matched before a template that also matches it, as API Gateway does.
routes.sort((a, b) => a.params.length - b.params.length);

// The `$default` function reads the served methods from its environment (serverless.yml).
process.env.ROUTE_METHODS ??= createRequire(import.meta.url)(
  '../../resources/route-methods.cjs',
).routeMethods();

const modules = new Map<string, Promise<Handler>>();

/** `functions/login.handler` → the `handler` export of functions/login.ts. */
function functionHandler(reference: string): Promise<Handler> {
  let loaded = modules.get(reference);
  if (!loaded) {
    const [, file, name] = /^functions\/([\w-]+)\.(\w+)$/.exec(reference) ?? [];
    if (!file || !name) throw new Error(`A handler outside functions/: ${reference}`);
    // One folder level in the template: the module loader resolves it among functions/*.ts.
    loaded = import(`../../functions/${file}.ts`).then((module) => module[name] as Handler);
    modules.set(reference, loaded);
  }
  return loaded;
}

/** API Gateway's own replies, which carry none of the service's headers. */
const gatewayReply = (status: number, message: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode: status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message }),
});

/** Header names lower-cased, as API Gateway hands them on; repeated names joined by commas. */
function gatewayHeaders(given: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    const key = name.toLowerCase();
    headers[key] = headers[key] === undefined ? value : `${headers[key]},${value}`;
  }
  return headers;
}

function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    parameters[name] = parameters[name] === undefined ? value : `${parameters[name]},${value}`;
  }
  return Object.keys(parameters).length > 0 ? parameters : undefined;
}

async function invoke(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | undefined,
  sourceIp: string,
): Promise<APIGatewayProxyStructuredResultV2> {
  const query = path.indexOf('?');
  const rawPath = query < 0 ? path : path.slice(0, query);
  const rawQueryString = query < 0 ? '' : path.slice(query + 1);
  const route = routes.find((r) => r.method === method && r.pattern.test(rawPath));
  const routeKey = route ? `${method} ${route.template}` : '$default';
  const match = route?.pattern.exec(rawPath);
  const pathParameters = route
    ? Object.fromEntries(
        route.params.map((name, i) => [name, decodeURIComponent(match?.[i + 1] ?? '')]),
      )
    : undefined;
  const now = new Date();
  const requestContext = {
    accountId: '123456789012',
    apiId: 'local',
    domainName: 'local.execute-api.us-east-1.amazonaws.com',
    domainPrefix: 'local',
    http: {
      method,
      path: rawPath,
      protocol: 'HTTP/1.1',
      sourceIp,
      userAgent: headers['user-agent'] ?? '',
    },
    requestId: randomBytes(8).toString('hex'),
    routeKey,
    stage: '$default',
    time: now.toISOString(),
    timeEpoch: now.getTime(),
  };
  const shared = {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    headers,
    queryStringParameters: queryParameters(rawQueryString),
    pathParameters,
  };

  let authorizerContext: Record<string, unknown> | undefined;
  if (route?.authorizer) {
    const name = serverless.provider.httpApi.authorizers[route.authorizer]?.functionName;
    const definition = name ? serverless.functions[name] : undefined;
    if (!definition) throw new Error(`No function for the authorizer ${route.authorizer}`);
    const authorizerEvent = {
      ...shared,
      type: 'REQUEST',
      routeArn: `arn:aws:execute-api:us-east-1:123456789012:local/$default/${method}${rawPath}`,
      identitySource: [],
      requestContext,
    } as unknown as APIGatewayRequestAuthorizerEventV2;
    let decision: APIGatewaySimpleAuthorizerWithContextResult<Record<string, unknown>>;
    try {
      const authorize = await functionHandler(definition.handler);
      decision = (await authorize(authorizerEvent, lambdaContext())) as typeof decision;
    } catch {
      // A failing authorizer is API Gateway's 500, not the function's.
      return gatewayReply(500, 'Internal Server Error');
    }
    // A simple-response authorizer's refusal is API Gateway's own 403.
    if (decision?.isAuthorized !== true) return gatewayReply(403, 'Forbidden');
    authorizerContext = decision.context;
  }

  const event = {
    ...shared,
    requestContext: {
      ...requestContext,
      ...(authorizerContext ? { authorizer: { lambda: authorizerContext } } : {}),
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
  const reference = route?.handler ?? defaultRoute;
  if (!reference) return gatewayReply(404, 'Not Found');
  let result: unknown;
  try {
    result = await (await functionHandler(reference))(event, lambdaContext());
  } catch {
    return gatewayReply(500, 'Internal Server Error');
  }
  // A payload 2.0 function may answer with a bare value: API Gateway sends it as JSON, 200.
  if (!result || typeof result !== 'object' || !('statusCode' in result)) {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(result),
    };
  }
  return result as APIGatewayProxyStructuredResultV2;
}

/** One request, answered as API Gateway would answer it; `from` is the caller's address. */
export async function call(
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<HttpReply> {
  const given: Record<string, string> = { ...options.headers };
  if (options.token) given.authorization = `Bearer ${options.token}`;
  const body =
    options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
  const headers = gatewayHeaders(given);
  if (body !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  const reply = await invoke(method, path, headers, body, options.from ?? '127.0.0.1');
  const replyHeaders = new Headers();
  for (const [name, value] of Object.entries(reply.headers ?? {})) {
    replyHeaders.set(name, String(value));
  }
  const text = reply.isBase64Encoded
    ? Buffer.from(reply.body ?? '', 'base64').toString('utf8')
    : (reply.body ?? '');
  const status = reply.statusCode ?? 200;
  const parsed = parseBody(text);
  // Every response a test receives is held to the served document.
  assertConforms({ method, path, status, headers: replyHeaders, body: parsed });
  return { status, headers: replyHeaders, body: parsed };
}

export const {
  createCompany,
  postAccount,
  createAccount,
  getCompany,
  getAccount,
  readAllPages,
  login,
  session,
  firstLogin,
} = httpFixtures(call);
