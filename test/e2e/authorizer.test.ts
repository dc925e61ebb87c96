/**
 * The authorizer as serverless-offline runs it in front of the bundled functions: its event and
 * context shapes there differ from API Gateway's in small ways (STYLE.md "Known traps"), so the
 * in-process gateway's tests are not proof of this wiring.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, GB, strongPassword } from '../support/http-fixtures.ts';
import { call, createCompany, firstLogin, newPartner, type Partner } from './helpers.ts';

let partner: Partner;

beforeAll(async () => {
  partner = await newPartner('Wiring IT');
});

describe('the authorizer through serverless-offline', () => {
  it('answers no token and an unknown key with the service’s 401 problem document', async () => {
    // Act
    const none = await call('GET', '/v1/companies');
    const unknown = await call('GET', '/v1/companies', { token: `pk_${'A'.repeat(43)}` });
    const unknownWithBody = await call('POST', '/v1/companies', {
      token: 'not-a-key',
      rawBody: '{"name":',
    });

    // Assess
    for (const reply of [none, unknown, unknownWithBody]) {
      expectProblem(reply, 401, 'UNAUTHORIZED');
    }
  });

  it('passes a partner key and a session on, and refuses a company admin a partner route', async () => {
    // Prepare
    const password = strongPassword('Adm');
    const created = await createCompany(partner.apiKey, {
      quotaMb: 10 * GB,
      admin: { password, hardQuotaMb: 10 * GB },
    });

    // Act
    const { token } = await firstLogin(created.username, password);
    const own = await call('GET', `/v1/companies/${created.company.id}`, { token });
    const partnerRoute = await call('GET', '/v1/companies', { token });

    // Assess
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    expectProblem(partnerRoute, 403, 'FORBIDDEN');
  });

  it('reads the Authorization header however its name is written, as curl sends it', async () => {
    // Act: node:http keeps the name's case (fetch lower-cases it).
    const capitalised = await call('GET', '/v1/companies', {
      headers: { Authorization: `Bearer ${partner.apiKey}` },
      from: '127.0.0.1',
    });
    const shouted = await call('GET', '/v1/companies', {
      headers: { AUTHORIZATION: `bearer ${partner.apiKey}` },
      from: '127.0.0.1',
    });

    // Assess
    expect(capitalised.status, JSON.stringify(capitalised.body)).toBe(200);
    expect(shouted.status, JSON.stringify(shouted.body)).toBe(200);
  });
});
