import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { dynamoDb } from '#lib/clients/dynamodb.ts';
import { createAccount, getAccount, listAccounts } from '#lib/provisioning/accounts.ts';
import {
  cancelCompany,
  createCompany,
  getCompany,
  listCompanies,
  updateCompany,
} from '#lib/provisioning/companies.ts';
import {
  accountBody,
  companyBody,
  inCompany,
  newScope,
  uniqueUsername,
} from '../support/builders.ts';
import { countRequests } from './support.ts';

describe('creating a company', () => {
  it('gives the admin account the whole pool in one DynamoDB request', async () => {
    const scope = newScope();

    const { result, requests } = await countRequests(() => createCompany(scope, companyBody()));

    expect(requests).toEqual(['TransactWriteItemsCommand']);
    expect(result.account.hardQuotaMb).toBe(10240);
    expect(result.company).toMatchObject({ quotaMb: 10240, allocatedMb: 10240, freeMb: 0 });
    expect(result.contact.email).toMatch(/@hightech\.example$/);
  });

  it('lets the admin take less than the pool', async () => {
    const scope = newScope();
    const body = companyBody({ quotaMb: 51200, admin: { hardQuotaMb: 10240 } });

    const { company, account } = await createCompany(scope, body);

    expect(account.hardQuotaMb).toBe(10240);
    expect(company.freeMb).toBe(51200 - 10240);
  });

  it('refuses a pool off the ladder and writes nothing', async () => {
    const scope = newScope();

    const refused = createCompany(scope, companyBody({ quotaMb: 75 * 1024 }));

    await expect(refused).rejects.toMatchObject({ code: 'QUOTA_NOT_ON_LADDER' });
    expect((await listCompanies(scope, 25, undefined)).items).toHaveLength(0);
  });

  it('accepts 150 GB only for a partner with fine increments', async () => {
    const body = () => companyBody({ quotaMb: 150 * 1024 });

    await expect(createCompany(newScope(), body())).rejects.toMatchObject({
      code: 'QUOTA_NOT_ON_LADDER',
    });
    const fine = await createCompany(newScope({ fineIncrements: true }), body());
    expect(fine.company.quotaMb).toBe(150 * 1024);
  });

  it('makes a trial admin a 512 MB, 30-day account outside the pool', async () => {
    const scope = newScope();
    const body = companyBody();
    body.admin.plan = 'trial';
    const now = new Date('2026-11-02T10:00:00.000Z');

    const { company, account } = await createCompany(scope, body, now);

    expect(account.hardQuotaMb).toBe(512);
    expect(company.allocatedMb).toBe(0);
    expect(account.createdAt).toBe(now.toISOString());
    expect(account.trialEndsAt).toBe('2026-12-02T10:00:00.000Z');
  });
});

describe('tenancy', () => {
  it("hides one partner's company from another (404)", async () => {
    const owner = newScope();
    const stranger = newScope();
    const { company, account } = await createCompany(owner, companyBody());

    const notFound = { code: 'NOT_FOUND' };
    const asStranger = inCompany(stranger, company.id);
    await expect(getCompany(asStranger)).rejects.toMatchObject(notFound);
    await expect(updateCompany(asStranger, { name: 'Mine' })).rejects.toMatchObject(notFound);
    await expect(cancelCompany(asStranger)).rejects.toMatchObject(notFound);
    await expect(getAccount(asStranger, account.id)).rejects.toMatchObject(notFound);
    await expect(createAccount(asStranger, accountBody())).rejects.toMatchObject(notFound);
    expect((await listCompanies(stranger, 25, undefined)).items).toHaveLength(0);
    expect((await getCompany(inCompany(owner, company.id))).name).toBe('HighTech');
  });
});

describe('changing a company', () => {
  it('resizes the pool but never below what is allocated', async () => {
    const scope = newScope();
    const body = companyBody({ quotaMb: 51200, admin: { hardQuotaMb: 25600 } });
    const { company } = await createCompany(scope, body);

    await expect(
      updateCompany(inCompany(scope, company.id), { quotaMb: 10240 }),
    ).rejects.toMatchObject({ code: 'POOL_BELOW_ALLOCATED' });
    const grown = await updateCompany(inCompany(scope, company.id), {
      quotaMb: 102400,
      name: 'HighTech AG',
    });

    expect(grown).toMatchObject({
      quotaMb: 102400,
      allocatedMb: 25600,
      freeMb: 76800,
      name: 'HighTech AG',
    });
    expect(await getCompany(inCompany(scope, company.id))).toMatchObject({
      quotaMb: 102400,
      freeMb: 76800,
    });
  });

  it('sets licences and EndGuard, which every account then shows as features', async () => {
    const scope = newScope();
    const { company, account } = await createCompany(scope, companyBody());

    await updateCompany(inCompany(scope, company.id), { licenses: { egr: 3 }, endGuard: true });

    const after = await getAccount(inCompany(scope, company.id), account.id);
    expect(after.features).toMatchObject({ endGuard: true, egrLicenses: 3, spV5Licenses: 0 });
  });

  it('cancels the company with all its accounts and returns their storage', async () => {
    const scope = newScope();
    const body = companyBody({ quotaMb: 51200, admin: { hardQuotaMb: 10240 } });
    const { company } = await createCompany(scope, body);
    const other = await createAccount(inCompany(scope, company.id), {
      username: uniqueUsername(),
      plan: 'basic',
    });

    const cancelled = await cancelCompany(inCompany(scope, company.id));

    expect(cancelled).toMatchObject({ status: 'cancelled', allocatedMb: 0, accountCount: 0 });
    expect((await getAccount(inCompany(scope, company.id), other.account.id)).status).toBe(
      'cancelled',
    );
    await expect(
      createAccount(inCompany(scope, company.id), accountBody({ plan: 'select' })),
    ).rejects.toMatchObject({ code: 'COMPANY_CANCELLED' });
  });

  it('sweeps up an account created while the others were being cancelled', async () => {
    const scope = newScope();
    const body = companyBody({ quotaMb: 51200, admin: { hardQuotaMb: 10240 } });
    const { company } = await createCompany(scope, body);
    // Just before the company's own cancellation is sent, an account is created in it.
    let late: Promise<unknown> | undefined;
    const name = `late-${ulid()}`;
    dynamoDb.middlewareStack.add(
      (next, context) => async (args) => {
        const input = JSON.stringify((args as { input?: unknown }).input ?? {});
        if (
          !late &&
          context.commandName === 'TransactWriteItemsCommand' &&
          input.includes('accountCount = :none')
        ) {
          late = createAccount(inCompany(scope, company.id), {
            username: uniqueUsername(),
            plan: 'basic',
          });
          await late;
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      const cancelled = await cancelCompany(inCompany(scope, company.id));

      expect(late).toBeDefined();
      expect(cancelled).toMatchObject({ status: 'cancelled', accountCount: 0, allocatedMb: 0 });
      const accounts = await listAccounts(inCompany(scope, company.id), 100, undefined);
      expect(accounts.items).toHaveLength(2);
      expect(accounts.items.every((account) => account.status === 'cancelled')).toBe(true);
    } finally {
      dynamoDb.middlewareStack.remove(name);
    }
  });

  it('answers a second cancel with the cancelled company as it was, writing nothing', async () => {
    const scope = newScope();
    const { company } = await createCompany(scope, companyBody());
    const first = await cancelCompany(
      inCompany(scope, company.id),
      new Date('2026-12-01T10:00:00Z'),
    );

    const { result: again, requests } = await countRequests(() =>
      cancelCompany(inCompany(scope, company.id), new Date('2026-12-02T10:00:00Z')),
    );

    expect(again).toEqual(first);
    expect(requests).toEqual(['GetItemCommand']);
  });
});
