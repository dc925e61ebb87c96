/**
 * Usage reports from the storage service and the usage table, through the gateway. How the
 * totals are kept is test/integration/usage-totals.test.ts's; here, what the routes answer.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createAccount,
  createCompany,
  getAccount,
  getCompany,
} from '../../support/gateway.ts';
import { errorPaths, expectProblem, GB } from '../../support/http-fixtures.ts';
import { newPartnerWithKey, newStorageKey, type Partner } from './support.ts';

let partner: Partner;
let storageKey: string;

beforeAll(async () => {
  [partner, storageKey] = await Promise.all([newPartnerWithKey('Usage IT'), newStorageKey()]);
});

const report = (reports: Array<{ accountId: string; usedMb: number }>) =>
  call('POST', '/v1/usage-reports', { token: storageKey, body: { reports } });

const usageOf = (companyId: string, query = '') =>
  call('GET', `/v1/companies/${companyId}/usage${query}`, { token: partner.apiKey });

/** A 50 GB pool: admin 10 GB, a 5 GB sub-account and a 512 MB trial. */
async function companyWithAccounts() {
  const created = await createCompany(partner.apiKey, {
    quotaMb: 50 * GB,
    admin: { hardQuotaMb: 10 * GB },
  });
  const companyId = created.company.id as string;
  const sub = await createAccount(partner.apiKey, companyId, { parentId: created.account.id });
  const trial = await createAccount(partner.apiKey, companyId, { plan: 'trial' });
  return {
    companyId,
    adminId: created.account.id as string,
    subId: sub.account.id as string,
    trialId: trial.account.id as string,
  };
}

describe('usage reports from the storage service', () => {
  it('records usedMb per account, replacing an earlier figure, and shows it in the usage table', async () => {
    // Prepare
    const c = await companyWithAccounts();
    const unknownId = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    await report([{ accountId: c.adminId, usedMb: 1024 }]);

    // Act
    const reply = await report([
      { accountId: c.adminId, usedMb: 2048 },
      { accountId: c.subId, usedMb: 1000 },
      { accountId: c.trialId, usedMb: 100 },
      { accountId: unknownId, usedMb: 5 },
    ]);
    const usage = await usageOf(c.companyId);

    // Assess
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body).toMatchObject({ accepted: 3, unknownAccountIds: [unknownId] });
    const byId = Object.fromEntries(usage.body.items.map((row: any) => [row.accountId, row]));
    expect(byId[c.adminId]).toMatchObject({ sizeMb: 10 * GB, usedMb: 2048, percentUsed: 20 });
    expect(byId[c.subId]).toMatchObject({ sizeMb: 5 * GB, usedMb: 1000, percentUsed: 19.5 });
    expect(byId[c.trialId]).toMatchObject({ sizeMb: 512, usedMb: 100, percentUsed: 19.5 });
    expect(usage.body.totals).toMatchObject({
      accounts: 3,
      sizeMb: 10 * GB + 5 * GB + 512,
      usedMb: 3148,
      percentUsed: 19.8,
    });
    expect(await getAccount(partner.apiKey, c.companyId, c.subId)).toMatchObject({
      usedMb: 1000,
      percentUsed: 19.5,
    });
    expect((await getCompany(partner.apiKey, c.companyId)).usedMb).toBe(3148);
  });

  it('pages the usage table like every list, with totals over all its accounts', async () => {
    // Prepare
    const c = await companyWithAccounts();
    await report([
      { accountId: c.adminId, usedMb: 1000 },
      { accountId: c.subId, usedMb: 200 },
      { accountId: c.trialId, usedMb: 30 },
    ]);

    // Act
    const first = await usageOf(c.companyId, '?limit=2');
    const second = await usageOf(c.companyId, `?limit=2&cursor=${first.body.nextCursor}`);
    const tooMany = await usageOf(c.companyId, '?limit=101');
    const foreignCursor = await usageOf(
      c.companyId,
      `?cursor=${Buffer.from('AUDIT#x').toString('base64url')}`,
    );

    // Assess
    expect(first.body.items).toHaveLength(2);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const paged = [...first.body.items, ...second.body.items].map((row: any) => row.accountId);
    expect(paged.sort()).toEqual([c.adminId, c.subId, c.trialId].sort());
    for (const reply of [first, second]) {
      expect(reply.body.totals).toMatchObject({ accounts: 3, usedMb: 1230 });
    }
    expectProblem(tooMany, 400, 'VALIDATION_FAILED');
    expectProblem(foreignCursor, 400, 'VALIDATION_FAILED');
  });

  it('refuses a resize below what is stored, and malformed reports, recording nothing', async () => {
    // Prepare
    const c = await companyWithAccounts();
    const resize = (hardQuotaMb: number) =>
      call('PATCH', `/v1/companies/${c.companyId}/accounts/${c.subId}`, {
        token: partner.apiKey,
        body: { hardQuotaMb },
      });
    expect((await resize(10 * GB)).status).toBe(200);
    await report([{ accountId: c.subId, usedMb: 6000 }]);

    // Act
    const shrink = await resize(5 * GB);
    const unknownField = await call('POST', '/v1/usage-reports', {
      token: storageKey,
      body: { reports: [{ accountId: c.subId, usedMb: 10, usedGb: 1 }], source: 'nas-1' },
    });
    const empty = await report([]);

    // Assess
    expectProblem(shrink, 409, 'BELOW_USAGE');
    expectProblem(unknownField, 400, 'VALIDATION_FAILED');
    expect(errorPaths(unknownField).sort()).toEqual(['reports.0.usedGb', 'source']);
    expectProblem(empty, 400, 'VALIDATION_FAILED');
    expect(await getAccount(partner.apiKey, c.companyId, c.subId)).toMatchObject({
      hardQuotaMb: 10 * GB,
      usedMb: 6000,
    });
  });
});
