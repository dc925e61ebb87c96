import { describe, expect, it } from 'vitest';
import type { AppError } from '#lib/errors.ts';
import {
  cancelAccount,
  createAccount,
  getAccount,
  listAccounts,
  updateAccount,
} from '#lib/provisioning/accounts.ts';
import { createCompany, getCompany } from '#lib/provisioning/companies.ts';
import { createContact } from '#lib/provisioning/contacts.ts';
import { reportUsage, usageTable } from '#lib/provisioning/usage.ts';
import {
  companyBody,
  inCompany,
  newScope,
  pooledCompany,
  uniqueUsername,
} from '../support/builders.ts';
import { countRequests } from './support.ts';

describe('creating accounts', () => {
  it('costs at most two DynamoDB requests and defaults to the 5 GB minimum in a pool', async () => {
    const { scope, company } = await pooledCompany();

    const { result, requests } = await countRequests(() =>
      createAccount(inCompany(scope, company.id), { username: uniqueUsername(), plan: 'basic' }),
    );

    expect(requests).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand']);
    expect(result.account.hardQuotaMb).toBe(5120);
    expect((await getCompany(inCompany(scope, company.id))).allocatedMb).toBe(10240 + 5120);
  });

  it('refuses to exhaust the pool, saying how much is free, and writes nothing', async () => {
    const { scope, company, account: admin } = await pooledCompany();
    await createAccount(inCompany(scope, company.id), {
      username: uniqueUsername(),
      plan: 'basic',
      hardQuotaMb: 25600,
    });

    await createAccount(inCompany(scope, company.id), {
      username: uniqueUsername(),
      plan: 'trial',
    });

    await expect(
      createAccount(inCompany(scope, company.id), {
        username: uniqueUsername(),
        parentId: admin.id,
        hardQuotaMb: 25600,
      }),
    ).rejects.toMatchObject({
      code: 'POOL_EXCEEDED',
      status: 409,
      extensions: { freeMb: 51200 - 10240 - 25600 },
    });

    const after = await getCompany(inCompany(scope, company.id));
    expect(after.allocatedMb).toBe(10240 + 25600);
    expect(after.accountCount).toBe(3);
  });

  it('allows one parent per plan', async () => {
    const { scope, company } = await pooledCompany();

    await expect(
      createAccount(inCompany(scope, company.id), { username: uniqueUsername(), plan: 'select' }),
    ).rejects.toMatchObject({ code: 'PLAN_ALREADY_HAS_PARENT' });
    const basic = await createAccount(inCompany(scope, company.id), {
      username: uniqueUsername(),
      plan: 'basic',
    });
    expect(basic.account.kind).toBe('parent');
  });

  it('tells a plan that has its parent before a pool that is too small, creating or converting', async () => {
    const { scope, company } = await pooledCompany();
    const trial = await createAccount(inCompany(scope, company.id), {
      username: uniqueUsername(),
      plan: 'trial',
    });
    await createAccount(inCompany(scope, company.id), {
      username: uniqueUsername(),
      plan: 'basic',
      hardQuotaMb: 25600,
    });

    await expect(
      createAccount(inCompany(scope, company.id), {
        username: uniqueUsername(),
        plan: 'select',
        hardQuotaMb: 25600,
      }),
    ).rejects.toMatchObject({ code: 'PLAN_ALREADY_HAS_PARENT' });
    await expect(
      updateAccount(inCompany(scope, company.id), trial.account.id, {
        plan: 'select',
        hardQuotaMb: 25600,
      }),
    ).rejects.toMatchObject({ code: 'PLAN_ALREADY_HAS_PARENT' });
    // Either would also overdraw the pool: 15 GB are free, 25 GB were asked for.
    expect((await getCompany(inCompany(scope, company.id))).freeMb).toBe(15360);
  });

  it("gives sub-accounts their parent's plan, any number of them", async () => {
    const { scope, company, account: admin } = await pooledCompany();

    const subs = [];
    for (let i = 0; i < 3; i++) {
      subs.push(
        await createAccount(inCompany(scope, company.id), {
          username: uniqueUsername('sub'),
          parentId: admin.id,
        }),
      );
    }

    for (const sub of subs) {
      expect(sub.account).toMatchObject({
        kind: 'sub',
        parentId: admin.id,
        plan: 'select',
        hardQuotaMb: 5120,
      });
    }
  });

  it('shares a contact or makes a new one; by default uses the admin contact', async () => {
    const { scope, company, contact: adminContact } = await pooledCompany();
    const shared = await createContact(inCompany(scope, company.id), {
      fullName: 'Sam Shared',
      email: 'sam@hightech.example',
    });

    const reuse1 = await createAccount(inCompany(scope, company.id), {
      username: uniqueUsername(),
      plan: 'basic',
      contactId: shared.id,
    });
    const reuse2 = await createAccount(inCompany(scope, company.id), {
      username: uniqueUsername(),
      parentId: reuse1.account.id,
      contactId: shared.id,
    });
    const fresh = await createAccount(inCompany(scope, company.id), {
      username: uniqueUsername(),
      parentId: reuse1.account.id,
      contact: { fullName: 'Nina New', email: 'nina@hightech.example' },
    });
    const byDefault = await createAccount(inCompany(scope, company.id), {
      username: uniqueUsername(),
      plan: 'trial',
    });

    expect(reuse1.account.contactId).toBe(shared.id);
    expect(reuse2.account.contactId).toBe(shared.id);
    expect(fresh.contact.id).not.toBe(shared.id);
    expect(fresh.contact.email).toBe('nina@hightech.example');
    expect(byDefault.account.contactId).toBe(adminContact.id);
    expect(byDefault.contact.email).toBe(adminContact.email);
  });

  it('refuses an unknown contact id', async () => {
    const { scope, company } = await pooledCompany();
    const other = await pooledCompany(newScope());

    const refused = createAccount(inCompany(scope, company.id), {
      username: uniqueUsername(),
      plan: 'basic',
      contactId: other.contact.id,
    });

    await expect(refused).rejects.toMatchObject({ code: 'UNKNOWN_CONTACT' });
  });

  it('keeps trial accounts outside the pool at 512 MB for 30 days by default', async () => {
    const { scope, company } = await pooledCompany();

    const { account } = await createAccount(inCompany(scope, company.id), {
      username: uniqueUsername(),
      plan: 'trial',
    });

    expect(account.hardQuotaMb).toBe(512);
    expect(account.trialEndsAt).not.toBeNull();
    expect((await getCompany(inCompany(scope, company.id))).allocatedMb).toBe(10240);
  });
});

describe('concurrency', () => {
  it('lets exactly one of 20 concurrent creations of one username succeed', async () => {
    const scope = newScope();
    const body = companyBody({ quotaMb: 204800, admin: { hardQuotaMb: 5120 } });
    const { company } = await createCompany(scope, body);
    const username = uniqueUsername('contested');

    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        createAccount(inCompany(scope, company.id), { username, plan: i % 2 ? 'basic' : 'trial' }),
      ),
    );

    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    for (const failure of lost) {
      expect(['USERNAME_TAKEN', 'PLAN_ALREADY_HAS_PARENT']).toContain(
        (failure.reason as AppError).code,
      );
    }
    const listed = await listAccounts(inCompany(scope, company.id), 100, undefined);
    expect(listed.items.filter((a) => a.username === username)).toHaveLength(1);
  });

  it('never lets 30 concurrent allocations take the pool over', async () => {
    const scope = newScope();
    const body = companyBody({ quotaMb: 102400, admin: { hardQuotaMb: 10240 } });
    const { company, account: admin } = await createCompany(scope, body);

    const results = await Promise.allSettled(
      Array.from({ length: 30 }, () =>
        createAccount(inCompany(scope, company.id), {
          username: uniqueUsername('pool'),
          parentId: admin.id,
          hardQuotaMb: 5120,
        }),
      ),
    );

    const created = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter(
      (r) => r.status === 'rejected' && (r.reason as AppError).code === 'POOL_EXCEEDED',
    ).length;
    expect(created).toBe((102400 - 10240) / 5120);
    expect(refused).toBe(30 - created);
    const after = await getCompany(inCompany(scope, company.id));
    expect(after.allocatedMb).toBe(102400);
    expect(after.freeMb).toBe(0);
    const listed = await listAccounts(inCompany(scope, company.id), 100, undefined);
    const sum = listed.items.reduce((total, a) => total + (a.hardQuotaMb ?? 0), 0);
    expect(sum).toBe(after.allocatedMb);
  });
});

describe('changing accounts', () => {
  it('resizes within the pool, never below usage, in two requests', async () => {
    const { scope, company } = await pooledCompany();
    const { account } = await createAccount(inCompany(scope, company.id), {
      username: uniqueUsername(),
      plan: 'basic',
    });
    await reportUsage([{ accountId: account.id, usedMb: 8000 }]);

    await expect(
      updateAccount(inCompany(scope, company.id), account.id, { hardQuotaMb: 5120 }),
    ).rejects.toMatchObject({ code: 'BELOW_USAGE' });
    await expect(
      updateAccount(inCompany(scope, company.id), account.id, { hardQuotaMb: 51200 }),
    ).rejects.toMatchObject({ code: 'POOL_EXCEEDED' });
    const { result, requests } = await countRequests(() =>
      updateAccount(inCompany(scope, company.id), account.id, { hardQuotaMb: 10240 }),
    );

    expect(requests).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand']);
    expect(result).toMatchObject({ hardQuotaMb: 10240, usedMb: 8000, percentUsed: 78.1 });
    expect((await getCompany(inCompany(scope, company.id))).allocatedMb).toBe(20480);
  });

  it('converts a trial parent and its sub-accounts to a paid plan inside the pool', async () => {
    const { scope, company } = await pooledCompany();
    const { account: trial } = await createAccount(inCompany(scope, company.id), {
      username: uniqueUsername(),
      plan: 'trial',
    });
    const { account: sub } = await createAccount(inCompany(scope, company.id), {
      username: uniqueUsername(),
      parentId: trial.id,
    });
    expect(sub).toMatchObject({ plan: 'trial', hardQuotaMb: 512 });

    const converted = await updateAccount(inCompany(scope, company.id), trial.id, {
      plan: 'basic',
      hardQuotaMb: 10240,
    });

    expect(converted).toMatchObject({ plan: 'basic', trialEndsAt: null, hardQuotaMb: 10240 });
    expect(converted.features).toMatchObject({ openFileBackupOnServers: false, versioning: false });
    expect(await getAccount(inCompany(scope, company.id), sub.id)).toMatchObject({
      plan: 'basic',
      hardQuotaMb: 5120,
      trialEndsAt: null,
    });
    expect((await getCompany(inCompany(scope, company.id))).allocatedMb).toBe(10240 + 10240 + 5120);
  });

  it('refuses a conversion that does not fit the pool and changes nothing', async () => {
    const { scope, company } = await pooledCompany();
    const { account: trial } = await createAccount(inCompany(scope, company.id), {
      username: uniqueUsername(),
      plan: 'trial',
    });

    const refused = updateAccount(inCompany(scope, company.id), trial.id, {
      plan: 'basic',
      hardQuotaMb: 51200,
    });

    await expect(refused).rejects.toMatchObject({ code: 'POOL_EXCEEDED' });
    expect(await getAccount(inCompany(scope, company.id), trial.id)).toMatchObject({
      plan: 'trial',
      hardQuotaMb: 512,
    });
  });

  it('extends a trial counted from creation', async () => {
    const { scope, company } = await pooledCompany();
    const { account } = await createAccount(inCompany(scope, company.id), {
      username: uniqueUsername(),
      plan: 'trial',
    });

    const extended = await updateAccount(inCompany(scope, company.id), account.id, {
      trialDays: 60,
    });

    expect(Date.parse(extended.trialEndsAt as string) - Date.parse(account.createdAt)).toBe(
      60 * 86_400_000,
    );
  });
});

describe('cancelling accounts', () => {
  it('returns the allocation to the pool, cancels sub-accounts and keeps the username', async () => {
    const { scope, company } = await pooledCompany();
    const username = uniqueUsername('gone');
    const { account } = await createAccount(inCompany(scope, company.id), {
      username,
      plan: 'basic',
      hardQuotaMb: 10240,
    });
    const { account: sub } = await createAccount(inCompany(scope, company.id), {
      username: uniqueUsername(),
      parentId: account.id,
    });

    const { result, requests } = await countRequests(() =>
      cancelAccount(inCompany(scope, company.id), account.id),
    );

    expect(result.status).toBe('cancelled');
    expect(requests.filter((r) => r.startsWith('TransactWrite'))).toHaveLength(1);
    expect((await getAccount(inCompany(scope, company.id), sub.id)).status).toBe('cancelled');
    expect(await getCompany(inCompany(scope, company.id))).toMatchObject({
      allocatedMb: 10240,
      accountCount: 1,
    });
    await expect(
      createAccount(inCompany(scope, company.id), { username, plan: 'basic' }),
    ).rejects.toMatchObject({ code: 'USERNAME_TAKEN' });
    const replacement = await createAccount(inCompany(scope, company.id), {
      username: uniqueUsername(),
      plan: 'basic',
    });
    expect(replacement.account.kind).toBe('parent');
  });
});

describe('usage', () => {
  it('shows used MB and percent per account with totals', async () => {
    const { scope, company, account: admin } = await pooledCompany();
    const { account: sub } = await createAccount(inCompany(scope, company.id), {
      username: uniqueUsername(),
      parentId: admin.id,
    });

    const reported = await reportUsage([
      { accountId: admin.id, usedMb: 1024 },
      { accountId: sub.id, usedMb: 1706 },
      { accountId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', usedMb: 5 },
    ]);
    const table = await usageTable(inCompany(scope, company.id), { limit: 25 });

    expect(reported).toEqual({ accepted: 2, unknownAccountIds: ['01ARZ3NDEKTSV4RRFFQ69G5FAV'] });
    expect(table.items.find((r) => r.accountId === admin.id)).toMatchObject({
      sizeMb: 10240,
      usedMb: 1024,
      percentUsed: 10,
    });
    expect(table.items.find((r) => r.accountId === sub.id)).toMatchObject({
      sizeMb: 5120,
      usedMb: 1706,
      percentUsed: 33.3,
    });
    expect(table.totals).toEqual({ accounts: 2, sizeMb: 15360, usedMb: 2730, percentUsed: 17.8 });
    expect((await getCompany(inCompany(scope, company.id))).usedMb).toBe(2730);
  });
});
