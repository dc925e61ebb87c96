import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notFound } from '#lib/errors.ts';
import { fallbackRoute } from '#lib/http/handler.ts';
import { logger } from '#lib/logger.ts';
import { anonymousRequest } from '../support/builders.ts';
import { lambdaContext } from '../support/lambda-context.ts';
import { printed } from './output.ts';

describe('the logger of an HTTP function', () => {
  const previous = process.env.POWERTOOLS_LOG_LEVEL;
  beforeAll(() => {
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  });
  afterAll(() => {
    process.env.POWERTOOLS_LOG_LEVEL = previous;
  });

  let invocation = 0;
  const handler = fallbackRoute(async () => {
    invocation++;
    logger().info('first line');
    if (invocation === 1) logger().appendKeys({ onlyInFirst: 'yes' });
    logger().info('second line');
    throw notFound('Resource');
  });

  it('names the request on every line, and drops the keys of the previous invocation', async () => {
    const first = lambdaContext();
    const second = lambdaContext();

    const lines = await printed(async () => {
      await handler(anonymousRequest('/v1/nothing', { 'x-request-id': 'request-one' }), first);
      await handler(anonymousRequest('/v1/nothing', { 'x-request-id': 'request-two' }), second);
    });

    expect(lines.map((line) => [line.message, line.requestId, line.function_request_id])).toEqual([
      ['first line', 'request-one', first.awsRequestId],
      ['second line', 'request-one', first.awsRequestId],
      ['first line', 'request-two', second.awsRequestId],
      ['second line', 'request-two', second.awsRequestId],
    ]);
    expect(lines[1]?.onlyInFirst).toBe('yes');
    expect(lines[2]).not.toHaveProperty('onlyInFirst');
    expect(lines[3]).not.toHaveProperty('onlyInFirst');
  });
});
