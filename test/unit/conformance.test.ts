import { describe, expect, it } from 'vitest';
import { nonConformities } from '../support/conformance.ts';

const headers = (entries: Record<string, string>) => new Headers(entries);
const ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
const problem = (status: number, code: string) => ({
  type: `https://errors.backup-provisioning.dev/${code.toLowerCase().replaceAll('_', '-')}`,
  title: 'Not found',
  status,
  code,
  detail: 'Company not found.',
  errors: [],
});

describe('the conformance check the end-to-end tests run on every response', () => {
  it('accepts a documented problem with its headers', () => {
    expect(
      nonConformities({
        method: 'GET',
        path: `/v1/companies/${ID}`,
        status: 404,
        headers: headers({ 'x-request-id': 'r', 'content-type': 'application/problem+json' }),
        body: problem(404, 'NOT_FOUND'),
      }),
    ).toEqual([]);
  });

  it('names a status the operation does not document, a code it does not list, and a missing header', () => {
    const undocumented = nonConformities({
      method: 'GET',
      path: `/v1/companies/${ID}`,
      status: 418,
      headers: headers({ 'x-request-id': 'r', 'content-type': 'application/problem+json' }),
      body: problem(418, 'TEAPOT'),
    });
    const otherCode = nonConformities({
      method: 'GET',
      path: `/v1/companies/${ID}`,
      status: 404,
      headers: headers({ 'content-type': 'application/problem+json' }),
      body: problem(404, 'POOL_EXCEEDED'),
    });

    expect(undocumented).toEqual([expect.stringContaining('→ 418 is not documented')]);
    expect(otherCode).toContain('no x-request-id header');
    expect(otherCode.some((p) => p.includes('data/code must be equal to constant'))).toBe(true);
  });

  it('names a success body that drifts from its schema, and a 201 without Location', () => {
    const drift = nonConformities({
      method: 'POST',
      path: '/v1/companies',
      status: 201,
      headers: headers({ 'x-request-id': 'r', 'content-type': 'application/json' }),
      body: { company: { id: ID, name: 'HighTech', secret: 'x' } },
    });

    expect(drift).toContain('POST /v1/companies → 201: no Location header');
    expect(drift.some((p) => p.includes('body does not match its schema'))).toBe(true);
  });

  it('expects 405 with the served methods on a known path, and 404 elsewhere', () => {
    const reply = (method: string, path: string, status: number, allow?: string) =>
      nonConformities({
        method,
        path,
        status,
        headers: headers({
          'x-request-id': 'r',
          'content-type': 'application/problem+json',
          ...(allow ? { allow } : {}),
        }),
        body: problem(status, status === 405 ? 'METHOD_NOT_ALLOWED' : 'NOT_FOUND'),
      });

    expect(reply('PUT', `/v1/companies/${ID}`, 405, 'DELETE, GET, PATCH')).toEqual([]);
    expect(reply('PUT', `/v1/companies/${ID}`, 405, 'GET')).toEqual([
      'Allow "GET" is not "DELETE,GET,PATCH"',
    ]);
    expect(reply('PUT', `/v1/companies/${ID}`, 404)).toHaveLength(2);
    expect(reply('GET', '/v1/nothing-here', 404)).toEqual([]);
  });
});
