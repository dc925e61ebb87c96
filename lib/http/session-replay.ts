/**
 * Idempotent replies that hold a session token (login, password change, impersonation): stored
 * with the token's signature cut off and a seal, signed again on every way out, so a repeat gets
 * the very token first issued and none is ever stored (docs/session-replay.md).
 */
import { timingSafeEqual } from 'node:crypto';
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { isUnsigned, signAgain, withoutSignature } from '#lib/auth/sessions.ts';
import { keyedDigest } from '#lib/auth/signing-key.ts';
import type { HttpEvent, HttpResult } from './handler.ts';

export interface SessionReplay {
  /** Runs before the idempotency record is completed: the stored reply holds no signature. */
  middleware: middy.MiddlewareObj<HttpEvent, HttpResult, Error, Context>;
  /** Runs on every reply, after middy, where a replayed reply also passes. */
  finish: (response: HttpResult) => Promise<HttpResult>;
}

type Reply = { token?: unknown; tokenSeal?: unknown } & Record<string, unknown>;

const sealOf = (unsigned: string) => keyedDigest('session-replay-seal', unsigned);

const sameText = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

const bodyOf = (response: HttpResult | undefined): Reply | null => {
  if (
    !response?.body ||
    !String(response.headers?.['content-type']).startsWith('application/json')
  ) {
    return null;
  }
  const body = JSON.parse(response.body) as unknown;
  return body !== null && typeof body === 'object' ? (body as Reply) : null;
};

export const sessionReplay: SessionReplay = {
  middleware: {
    after: async (request) => {
      const body = bodyOf(request.response ?? undefined);
      if (request.response && typeof body?.token === 'string') {
        const unsigned = withoutSignature(body.token);
        body.token = unsigned;
        body.tokenSeal = await sealOf(unsigned);
        request.response = { ...request.response, body: JSON.stringify(body) };
      }
    },
  },
  finish: async (response) => {
    const body = bodyOf(response);
    if (typeof body?.token !== 'string' || !isUnsigned(body.token)) return response;
    const seal = typeof body.tokenSeal === 'string' ? body.tokenSeal : '';
    if (!sameText(seal, await sealOf(body.token))) {
      throw new Error('A stored session reply does not carry its seal');
    }
    const { tokenSeal: _seal, ...reply } = body;
    return {
      ...response,
      body: JSON.stringify({ ...reply, token: await signAgain(body.token) }),
    };
  },
};
