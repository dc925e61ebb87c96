import type { APIGatewayRequestAuthorizerEventV2, Context } from 'aws-lambda';
import { principalForApiKey } from '#lib/auth/api-keys.ts';
import { type Principal, toAuthorizerContext } from '#lib/auth/principal.ts';
import { principalForSession } from '#lib/auth/session-principal.ts';
import { looksLikeSessionToken } from '#lib/auth/sessions.ts';
import { beginInvocation, logger } from '#lib/logger.ts';

/**
 * Resolves the bearer token (partner or storage API key, or session token) to its caller. It
 * always authorizes and passes the caller on: an HTTP API cannot shape an authorizer's refusal,
 * so the handler answers an unknown caller with the service's own 401 problem document.
 */
export const handler = async (event: APIGatewayRequestAuthorizerEventV2, context: Context) => {
  beginInvocation(context);
  // API Gateway gives header names lower-cased; serverless-offline as the client sent them.
  const header =
    Object.entries(event.headers ?? {}).find(
      ([name]) => name.toLowerCase() === 'authorization',
    )?.[1] ?? '';
  const token = /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1];
  let principal: Principal = { kind: 'anonymous' };
  if (token) {
    try {
      principal = looksLikeSessionToken(token)
        ? await principalForSession(token)
        : await principalForApiKey(token);
    } catch (error) {
      logger().error('Authorizer lookup failed', { error: (error as Error).message });
      throw error;
    }
  }
  return { isAuthorized: true, context: toAuthorizerContext(principal) };
};
