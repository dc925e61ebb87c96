import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { dynamoDb } from '#lib/clients/dynamodb.ts';
import { AppError } from '#lib/errors.ts';
import { createAccount, getAccount, listAccounts } from '#lib/provisioning/accounts.ts';
import {
  cancelCompany,
  createCompany,
  getCompany,
  listCompanies,
  updateCompany,
} from '#lib/provisioning/companies.ts';
import { companyBody, inCompany, newScope, uniqueUsername } from '../support/builders.ts';
import { countRequests } from './support.ts';

const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'NO_ERROR';
};

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
    const body = companyBody({ quotaMb: 51200 });
    body.admin.hardQuotaMb = 10240;

    const { company, account } = await createCompany(scope, body);

    expect(account.hardQuotaMb).toBe(10240);
    expect(company.freeMb).toBe(51200 - 10240);
  });

  it('refuses a pool off the ladder with the nearest sizes and writes nothing', async () => {
    const scope = newScope();

    const error = await createCompany(scope, companyBody({ quotaMb: 75 * 1024 })).catch((e) => e);

    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe('QUOTA_NOT_ON_LADDER');
    expect(error.extensions.nearestMb).toEqual([50 * 1024, 100 * 1024]);
    expect((await listCompanies(scope, 25, undefined)).items).toHaveLength(0);
  });

  it('accepts 150 GB only for a partner with fine increments', async () => {
    const body = () => companyBody({ quotaMb: 150 * 1024 });

    expect(await codeOf(createCompany(newScope(), body()))).toBe('QUOTA_NOT_ON_LADDER');
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

    expect(await codeOf(getCompany(inCompany(stranger, company.id)))).toBe('NOT_FOUND');
    expect(await codeOf(updateCompany(inCompany(stranger, company.id), { name: 'Mine' }))).toBe(
      'NOT_FOUND',
    );
    expect(await codeOf(cancelCompany(inCompany(stranger, company.id)))).toBe('NOT_FOUND');
    expect(await codeOf(getAccount(inCompany(stranger, company.id), account.id))).toBe('NOT_FOUND');
    expect(
      await codeOf(
        createAccount(inCompany(stranger, company.id), {
          username: uniqueUsername(),
          plan: 'basic',
        }),
      ),
    ).toBe('NOT_FOUND');
    expect((await listCompanies(stranger, 25, undefined)).items).toHaveLength(0);
    expect((await getCompany(inCompany(owner, company.id))).name).toBe('HighTech');
  });
});

describe('changing a company', () => {
  it('resizes the pool on the ladder but never below what is allocated', async () => {
    const scope = newScope();
    const body = companyBody({ quotaMb: 51200 });
    body.admin.hardQuotaMb = 25600;
    const { company } = await createCompany(scope, body);

    expect(await codeOf(updateCompany(inCompany(scope, company.id), { quotaMb: 10240 }))).toBe(
      'POOL_BELOW_ALLOCATED',
    );
    expect(await codeOf(updateCompany(inCompany(scope, company.id), { quotaMb: 30720 }))).toBe(
      'QUOTA_NOT_ON_LADDER',
    );
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
    const body = companyBody({ quotaMb: 51200 });
    body.admin.hardQuotaMb = 10240;
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
    expect(
      await codeOf(
        createAccount(inCompany(scope, company.id), { username: uniqueUsername(), plan: 'select' }),
      ),
    ).toBe('COMPANY_CANCELLED');
  });

  it('sweeps up an account created while the others were being cancelled', async () => {
    const scope = newScope();
    const body = companyBody({ quotaMb: 51200 });
    body.admin.hardQuotaMb = 10240;
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
