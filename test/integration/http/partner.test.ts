/**
 * GET /v1/partner: the caller's partner and the storage ladder it may use, which the portal
 * offers in its size choices (SPEC §2.3).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { strongPassword } from '../../support/builders.ts';
import { call, createCompany, firstLogin } from '../../support/gateway.ts';
import { expectProblem } from '../../support/http-fixtures.ts';
import { newPartnerWithKey, type Partner } from './support.ts';

let plain: Partner;
let fine: Partner;

beforeAll(async () => {
  [plain, fine] = await Promise.all([
    newPartnerWithKey('Ladder Plain IT'),
    newPartnerWithKey('Ladder Fine IT', true),
  ]);
});

describe('GET /v1/partner', () => {
  it('names the partner and its ladder: steps of 100 GB above 100, or 50 with fineIncrements', async () => {
    // Act
    const [plainReply, fineReply] = await Promise.all([
      call('GET', '/v1/partner', { token: plain.apiKey }),
      call('GET', '/v1/partner', { token: fine.apiKey }),
    ]);

    // Assess
    expect(plainReply.status).toBe(200);
    expect(plainReply.body).toEqual({
      id: plain.partnerId,
      name: 'Ladder Plain IT',
      fineIncrements: false,
      ladder: { rungsGb: [5, 10, 25, 50, 100], stepGbAbove100: 100 },
    });
    expect(fineReply.body).toMatchObject({
      id: fine.partnerId,
      fineIncrements: true,
      ladder: { rungsGb: [5, 10, 25, 50, 100], stepGbAbove100: 50 },
    });
  });

  it("answers a company admin with its own partner's, and no one without a token", async () => {
    // Prepare
    const password = strongPassword('Adm');
    const created = await createCompany(fine.apiKey, { admin: { password } });
    const { token } = await firstLogin(created.username, password);

    // Act
    const asAdmin = await call('GET', '/v1/partner', { token });
    const anonymous = await call('GET', '/v1/partner');

    // Assess
    expect(asAdmin.status, JSON.stringify(asAdmin.body)).toBe(200);
    expect(asAdmin.body).toMatchObject({ id: fine.partnerId, name: 'Ladder Fine IT' });
    expectProblem(anonymous, 401, 'UNAUTHORIZED');
  });
});
