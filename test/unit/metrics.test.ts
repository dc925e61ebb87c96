import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as notFoundHandler } from '#functions/not-found.ts';
import { METRICS_NAMESPACE } from '#lib/emf.ts';
import { fallbackRoute } from '#lib/http/handler.ts';
import { endInvocation } from '#lib/invocation.ts';
import { count } from '#lib/metrics.ts';
import { anonymousRequest } from '../support/builders.ts';
import { lambdaContext } from '../support/lambda-context.ts';
import { printed } from './output.ts';

const emf = (lines: Record<string, unknown>[]) => lines.filter((line) => '_aws' in line);

describe('business metrics', () => {
  const previous = process.env.POWERTOOLS_LOG_LEVEL;
  beforeAll(() => {
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  });
  afterAll(() => {
    process.env.POWERTOOLS_LOG_LEVEL = previous;
  });

  it('are published once, as one EMF document, when the invocation ends', async () => {
    const counting = await printed(() => {
      count('CompaniesCreated');
      count('AccountsCreated');
      count('AccountsCreated');
    });
    const ended = await printed(() => endInvocation());
    const again = await printed(() => endInvocation());

    expect(counting).toEqual([]);
    expect(emf(ended)).toHaveLength(1);
    const [document] = emf(ended) as [Record<string, unknown>];
    expect(document).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: METRICS_NAMESPACE,
            Dimensions: [['service']],
            Metrics: expect.arrayContaining([
              { Name: 'CompaniesCreated', Unit: 'Count' },
              { Name: 'AccountsCreated', Unit: 'Count' },
            ]),
          },
        ],
      },
      service: 'backup-provisioning',
      CompaniesCreated: 1,
      AccountsCreated: 2,
    });
    expect(again).toEqual([]);
  });

  it('are not printed by a function that counts nothing', async () => {
    const lines = await printed(() =>
      notFoundHandler(anonymousRequest('/v1/nowhere'), lambdaContext()),
    );

    expect(emf(lines)).toEqual([]);
  });

  it('count a 500 answer on the log line of its error', async () => {
    const failing = fallbackRoute(async () => {
      throw new Error('boom');
    });

    let status: number | undefined;
    const lines = await printed(async () => {
      status = (
        await failing(anonymousRequest('/v1/boom', { 'x-request-id': 'boom-1' }), lambdaContext())
      ).statusCode;
    });

    expect(status).toBe(500);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      message: 'Unhandled error',
      requestId: 'boom-1',
      service: 'backup-provisioning',
      ServerErrors: 1,
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: METRICS_NAMESPACE,
            Dimensions: [['service']],
            Metrics: [{ Name: 'ServerErrors', Unit: 'Count' }],
          },
        ],
      },
    });
  });
});
