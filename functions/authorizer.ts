import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { principalForApiKey } from '#lib/auth/api-keys.ts';
import { type Principal, toAuthorizerContext } from '#lib/auth/principal.ts';
import { logger } from '#lib/logger.ts';

/**
 * Resolves the bearer token to its caller. It always authorizes and passes the caller on:
 * an HTTP API cannot shape an authorizer's refusal, so the handler answers an unknown caller
 * with the service's own 401 problem document.
 */
export const handler = async (event: APIGatewayRequestAuthorizerEventV2) => {
  const header = event.headers?.authorization ?? event.identitySource?.[0] ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  let principal: Principal = { kind: 'anonymous' };
  if (match?.[1]) {
    try {
      principal = await principalForApiKey(match[1]);
    } catch (error) {
      logger.error('Authorizer lookup failed', { error: (error as Error).message });
      throw error;
    }
  }
  return { isAuthorized: true, context: toAuthorizerContext(principal) };
};
