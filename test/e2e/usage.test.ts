import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAccount,
  createCompany,
  drainOutbox,
  errorPaths,
  expectProblem,
  GB,
  getAccount,
  getCompany,
  newPartners,
  newStorageKey,
  type Partner,
  readAllPages,
} from './fixtures.ts';
import { call } from './helpers.ts';

let partner: Partner;
let storageKey: string;

beforeAll(async () => {
  const [partners, storage] = await Promise.all([newPartners('Usage IT'), newStorageKey()]);
  [partner] = partners as [Partner];
  storageKey = storage;
});

afterAll(() => drainOutbox(), 120_000);

const report = (reports: Array<{ accountId: string; usedMb: number }>) =>
  call('POST', '/v1/usage-reports', { token: storageKey, body: { reports } });

const usageOf = async (companyId: string) => {
  const reply = await call('GET', `/v1/companies/${companyId}/usage`, { token: partner.apiKey });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body;
};

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
  it('records usedMb per account and shows it with percentUsed in the usage table', async () => {
    // Prepare
    const c = await companyWithAccounts();
    const unknownId = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

    // Act
    const reply = await report([
      { accountId: c.adminId, usedMb: 2048 },
      { accountId: c.subId, usedMb: 1000 },
      { accountId: c.trialId, usedMb: 100 },
      { accountId: unknownId, usedMb: 5 },
    ]);

    // Assess
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.headers.get('x-request-id')).toBeTruthy();
    expect(reply.body).toMatchObject({ accepted: 3, unknownAccountIds: [unknownId] });
    const usage = await usageOf(c.companyId);
    const byId = Object.fromEntries(usage.items.map((row: any) => [row.accountId, row]));
    expect(byId[c.adminId]).toMatchObject({ sizeMb: 10 * GB, usedMb: 2048, percentUsed: 20 });
    expect(byId[c.subId]).toMatchObject({ sizeMb: 5 * GB, usedMb: 1000, percentUsed: 19.5 });
    expect(byId[c.trialId]).toMatchObject({ sizeMb: 512, usedMb: 100, percentUsed: 19.5 });
    expect(usage.items).toHaveLength(3);
    expect(usage.totals).toMatchObject({
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

  it('replaces an earlier figure rather than adding to it', async () => {
    // Prepare
    const c = await companyWithAccounts();
    await report([
      { accountId: c.adminId, usedMb: 2048 },
      { accountId: c.subId, usedMb: 512 },
    ]);

    // Act
    const reply = await report([{ accountId: c.adminId, usedMb: 4096 }]);

    // Assess
    expect(reply.status).toBe(200);
    expect(await getAccount(partner.apiKey, c.companyId, c.adminId)).toMatchObject({
      usedMb: 4096,
      percentUsed: 40,
    });
    expect((await getCompany(partner.apiKey, c.companyId)).usedMb).toBe(4096 + 512);
    const listed = await readAllPages(partner.apiKey, '/v1/companies', 100);
    const inList = listed.items.find((company) => company.id === c.companyId);
    expect(inList).toMatchObject({ usedMb: 4096 + 512, accountCount: 3 });
    expect((await usageOf(c.companyId)).totals.usedMb).toBe(4096 + 512);
  });

  it('measures percentUsed against the effective quota and gives null when unlimited', async () => {
    // Prepare
    const pooled = await createCompany(partner.apiKey, {
      quotaMb: 25 * GB,
      admin: { hardQuotaMb: 10 * GB, userQuotaMb: 2048 },
    });
    const unlimited = await createCompany(partner.apiKey, { admin: { plan: 'basic' } });

    // Act
    await report([
      { accountId: pooled.account.id, usedMb: 1024 },
      { accountId: unlimited.account.id, usedMb: 700 },
    ]);

    // Assess
    expect(await getAccount(partner.apiKey, pooled.company.id, pooled.account.id)).toMatchObject({
      effectiveQuotaMb: 2048,
      usedMb: 1024,
      percentUsed: 50,
    });
    const table = await usageOf(unlimited.company.id);
    expect(table.items).toEqual([
      expect.objectContaining({ accountId: unlimited.account.id, usedMb: 700, percentUsed: null }),
    ]);
    expect(table.totals).toMatchObject({ sizeMb: null, usedMb: 700, percentUsed: null });
    expect((await getCompany(partner.apiKey, unlimited.company.id)).usedMb).toBe(700);
  });

  it('pages the usage table like every list, with totals over all its accounts', async () => {
    // Prepare
    const c = await companyWithAccounts();
    await report([
      { accountId: c.adminId, usedMb: 1000 },
      { accountId: c.subId, usedMb: 200 },
      { accountId: c.trialId, usedMb: 30 },
    ]);
    const page = (query: string) =>
      call('GET', `/v1/companies/${c.companyId}/usage${query}`, { token: partner.apiKey });

    // Act
    const first = await page('?limit=2');
    const second = await page(`?limit=2&cursor=${first.body.nextCursor}`);
    const whole = await page('');
    const tooMany = await page('?limit=101');
    const foreignCursor = await page(`?cursor=${Buffer.from('AUDIT#x').toString('base64url')}`);

    // Assess
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const paged = [...first.body.items, ...second.body.items].map((row: any) => row.accountId);
    expect(paged.sort()).toEqual([c.adminId, c.subId, c.trialId].sort());
    expect(whole.body.items).toHaveLength(3);
    expect(whole.body.nextCursor).toBeNull();
    for (const reply of [first, second, whole]) {
      expect(reply.body.totals).toMatchObject({ accounts: 3, usedMb: 1230 });
    }
    expectProblem(tooMany, 400, 'VALIDATION_FAILED');
    expectProblem(foreignCursor, 400, 'VALIDATION_FAILED');
  });

  it('refuses to resize an account below what it stores with 409 BELOW_USAGE', async () => {
    // Prepare
    const c = await companyWithAccounts();
    await call('PATCH', `/v1/companies/${c.companyId}/accounts/${c.subId}`, {
      token: partner.apiKey,
      body: { hardQuotaMb: 10 * GB },
    });
    await report([{ accountId: c.subId, usedMb: 6000 }]);

    // Act
    const reply = await call('PATCH', `/v1/companies/${c.companyId}/accounts/${c.subId}`, {
      token: partner.apiKey,
      body: { hardQuotaMb: 5 * GB },
    });

    // Assess
    expectProblem(reply, 409, 'BELOW_USAGE');
    expect(await getAccount(partner.apiKey, c.companyId, c.subId)).toMatchObject({
      hardQuotaMb: 10 * GB,
      usedMb: 6000,
    });
    expect((await getCompany(partner.apiKey, c.companyId)).allocatedMb).toBe(20 * GB);
  });

  it('refuses malformed reports with 400 and records nothing', async () => {
    // Prepare
    const c = await companyWithAccounts();

    // Act
    const negative = await report([{ accountId: c.subId, usedMb: -1 }]);
    const unknownField = await call('POST', '/v1/usage-reports', {
      token: storageKey,
      body: { reports: [{ accountId: c.subId, usedMb: 10, usedGb: 1 }], source: 'nas-1' },
    });
    const empty = await report([]);

    // Assess
    expectProblem(negative, 400, 'VALIDATION_FAILED');
    expect(errorPaths(negative)).toEqual(['reports.0.usedMb']);
    expectProblem(unknownField, 400, 'VALIDATION_FAILED');
    expect(errorPaths(unknownField).sort()).toEqual(['reports.0.usedGb', 'source']);
    expectProblem(empty, 400, 'VALIDATION_FAILED');
    expect((await getAccount(partner.apiKey, c.companyId, c.subId)).usedMb).toBe(0);
    expect((await getCompany(partner.apiKey, c.companyId)).usedMb).toBe(0);
  });

  it('does not let the storage key read the usage table', async () => {
    // Prepare
    const c = await companyWithAccounts();

    // Act
    const reply = await call('GET', `/v1/companies/${c.companyId}/usage`, { token: storageKey });

    // Assess
    expectProblem(reply, 403, 'FORBIDDEN');
  });
});
