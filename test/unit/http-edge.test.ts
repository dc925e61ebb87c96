import { describe, expect, it } from 'vitest';
import { notFound } from '#lib/errors.ts';
import { fallbackRoute, type HttpEvent } from '#lib/http/handler.ts';
import { anonymousRequest } from '../support/builders.ts';
import { lambdaContext } from '../support/lambda-context.ts';

describe('the HTTP edge', () => {
  it('gives the handler header names lower-cased, whatever case the client sent', async () => {
    let seen: HttpEvent['headers'] | undefined;
    const handler = fallbackRoute(async (event) => {
      seen = event.headers;
      throw notFound('Resource');
    });

    await handler(
      anonymousRequest('/v1/anything', {
        Authorization: 'Bearer x',
        'Idempotency-Key': 'key-1',
        'content-type': 'application/json',
      }),
      lambdaContext(),
    );

    expect({ ...seen }).toEqual({
      authorization: 'Bearer x',
      'idempotency-key': 'key-1',
      'content-type': 'application/json',
    });
  });
});
