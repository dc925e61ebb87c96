import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { BackupUserPrincipal } from '#lib/auth/principal.ts';
import { documentClient, dynamoDb, tableName } from '#lib/clients/dynamodb.ts';
import { cancelAccount, updateAccount } from '#lib/provisioning/accounts.ts';
import { createCompany } from '#lib/provisioning/companies.ts';
import { updateMe } from '#lib/provisioning/identity.ts';
import type { CompanyScope } from '#lib/provisioning/scope.ts';
import { reportUsage, usageTable } from '#lib/provisioning/usage.ts';
import { effectiveQuotaMb, percentUsed } from '#lib/rules/quota.ts';
import type { CreateAccountBody } from '#lib/schemas.ts';
import { allAccounts } from '#lib/store/accounts.ts';
import { keys } from '#lib/store/keys.ts';
import { getItem } from '#lib/store/table.ts';
import {
  companyBody,
  createAccountIn,
  createCompanyFor,
  inCompany,
  newScope,
} from '../support/builders.ts';
import { countRequests } from './support.ts';

const GB = 1024;

/** The totals as the table computed them before they were kept: from every account. */
async function totalsFromAllAccounts(scope: CompanyScope) {
  const listed = (await allAccounts(scope.partnerId, scope.companyId)).filter(
    (account) => account.status !== 'cancelled',
  );
  const sizes = listed.map((a) => effectiveQuotaMb(a.hardQuotaMb, a.userQuotaMb));
  const usedMb = listed.reduce((sum, a) => sum + a.usedMb, 0);
  const sizeMb = sizes.some((size) => size === null)
    ? null
    : sizes.reduce((sum: number, size) => sum + (size ?? 0), 0);
  return { accounts: listed.length, sizeMb, usedMb, percentUsed: percentUsed(usedMb, sizeMb) };
}

const userOf = (scope: CompanyScope, accountId: string): BackupUserPrincipal => ({
  kind: 'backupUser',
  partnerId: scope.partnerId,
  partnerName: scope.partnerName,
  fineIncrements: scope.fineIncrements,
  companyId: scope.companyId,
  accountId,
  mustChangePassword: false,
  expiresAtSeconds: Math.floor(Date.now() / 1000) + 3600,
});

/** A pooled company (100 GB, the admin at 10 GB) and its scope. */
async function pooledCompany() {
  const created = await createCompanyFor(newScope(), {
    quotaMb: 100 * GB,
    admin: { hardQuotaMb: 10 * GB },
  });
  return { scope: created.companyScope, admin: created.account };
}

const newAccount = (scope: CompanyScope, body: Partial<CreateAccountBody>) =>
  createAccountIn(scope, body).then((created) => created.account);

describe('the usage table totals kept on the company', () => {
  it('equal the totals over all accounts after creates, resizes, user quotas, reports, conversions and cancels', async () => {
    // Prepare
    const { scope, admin } = await pooledCompany();
    const sub = await newAccount(scope, { parentId: admin.id, hardQuotaMb: 5 * GB });
    const trial = await newAccount(scope, { plan: 'trial', trialDays: 30 });
    const trialSub = await newAccount(scope, { parentId: trial.id });
    const other = await newAccount(scope, { parentId: admin.id });
    const unlimitedPartner = newScope();
    const unlimited = await createCompany(unlimitedPartner, companyBody({ quotaMb: null }));
    const unlimitedScope = inCompany(unlimitedPartner, unlimited.company.id);

    // Act
    await reportUsage([
      { accountId: admin.id, usedMb: 3000 },
      { accountId: sub.id, usedMb: 700 },
      { accountId: trialSub.id, usedMb: 50 },
      { accountId: other.id, usedMb: 900 },
    ]);
    await updateAccount(scope, admin.id, { hardQuotaMb: 25 * GB });
    await updateMe(userOf(scope, sub.id), { userQuotaMb: 2 * GB });
    await updateMe(userOf(scope, sub.id), { userQuotaMb: null });
    await updateMe(userOf(scope, other.id), { userQuotaMb: 1 * GB });
    await updateAccount(scope, trial.id, { plan: 'basic', hardQuotaMb: 10 * GB });
    await reportUsage([{ accountId: sub.id, usedMb: 1200 }]);
    await cancelAccount(scope, sub.id);
    // Usage of a cancelled account is recorded but no longer counted in the table.
    await reportUsage([{ accountId: sub.id, usedMb: 1500 }]);
    await cancelAccount(scope, trial.id);
    const table = await usageTable(scope, { limit: 2 });

    // Assess
    const expected = await totalsFromAllAccounts(scope);
    expect(expected).toEqual({
      accounts: 2,
      sizeMb: 25 * GB + 1 * GB,
      usedMb: 3900,
      percentUsed: expected.percentUsed,
    });
    expect(table.totals).toEqual(expected);
    const unlimitedTable = await usageTable(unlimitedScope, { limit: 25 });
    expect(unlimitedTable.totals).toEqual(await totalsFromAllAccounts(unlimitedScope));
    expect(unlimitedTable.totals.sizeMb).toBeNull();
  });

  it('equal the totals over all accounts after concurrent mixed writes', async () => {
    // Prepare
    const { scope, admin } = await pooledCompany();
    const subs = await Promise.all(
      [1, 2, 3, 4].map(() => newAccount(scope, { parentId: admin.id })),
    );
    const trial = await newAccount(scope, { plan: 'trial', trialDays: 30 });

    // Act: every kind of change at once, several on the same accounts.
    const outcomes = await Promise.allSettled([
      newAccount(scope, { parentId: admin.id }),
      newAccount(scope, { parentId: admin.id, hardQuotaMb: 10 * GB }),
      reportUsage([
        { accountId: admin.id, usedMb: 100 },
        { accountId: (subs[0] as { id: string }).id, usedMb: 200 },
      ]),
      reportUsage([{ accountId: (subs[0] as { id: string }).id, usedMb: 300 }]),
      reportUsage([{ accountId: (subs[1] as { id: string }).id, usedMb: 400 }]),
      updateAccount(scope, (subs[0] as { id: string }).id, { hardQuotaMb: 10 * GB }),
      updateMe(userOf(scope, (subs[0] as { id: string }).id), { userQuotaMb: 6 * GB }),
      updateMe(userOf(scope, (subs[2] as { id: string }).id), { userQuotaMb: 2 * GB }),
      cancelAccount(scope, (subs[1] as { id: string }).id),
      cancelAccount(scope, (subs[3] as { id: string }).id),
      updateAccount(scope, trial.id, { plan: 'basic' }),
      reportUsage([{ accountId: trial.id, usedMb: 50 }]),
    ]);
    const table = await usageTable(scope, { limit: 25 });

    // Assess
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    expect(table.totals).toEqual(await totalsFromAllAccounts(scope));
  });

  it('costs two DynamoDB requests a page: the company and one page of accounts', async () => {
    // Prepare
    const { scope, admin } = await pooledCompany();
    for (let i = 0; i < 4; i++) await newAccount(scope, { parentId: admin.id });
    const first = await usageTable(scope, { limit: 2 });

    const limits: unknown[] = [];
    const name = 'query-limits';
    dynamoDb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'QueryCommand')
          limits.push((args.input as { Limit?: number }).Limit);
        return next(args);
      },
      { step: 'initialize', name },
    );

    // Act
    const { result, requests } = await countRequests(() =>
      usageTable(scope, { limit: 2, cursor: first.nextCursor ?? undefined }),
    ).finally(() => dynamoDb.middlewareStack.remove(name));

    // Assess
    expect(requests).toEqual(['GetItemCommand', 'QueryCommand']);
    // One page of accounts is read, not all of them.
    expect(limits).toEqual([2]);
    expect(result.items).toHaveLength(2);
    expect(result.totals).toEqual(await totalsFromAllAccounts(scope));
  });

  it('are computed once for a company written before they were kept, then read from it', async () => {
    // Prepare: a company as written before, whose later changes moved only absent counters.
    const { scope, admin } = await pooledCompany();
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.company(scope.partnerId, scope.companyId),
        UpdateExpression:
          'REMOVE listedSizeMb, listedUnlimited, listedUsedMb, totalsKept, totalsVersion',
      }),
    );
    await newAccount(scope, { parentId: admin.id, hardQuotaMb: 10 * GB });
    await reportUsage([{ accountId: admin.id, usedMb: 2048 }]);

    // Act
    const first = await countRequests(() => usageTable(scope, { limit: 25 }));
    const second = await countRequests(() => usageTable(scope, { limit: 25 }));

    // Assess
    const expected = await totalsFromAllAccounts(scope);
    expect(expected).toMatchObject({ accounts: 2, sizeMb: 20 * GB, usedMb: 2048 });
    expect(first.result.totals).toEqual(expected);
    expect(first.requests).toContain('TransactWriteItemsCommand');
    expect(second.result.totals).toEqual(expected);
    expect(second.requests).toEqual(['GetItemCommand', 'QueryCommand']);
    const item = await getItem(keys.company(scope.partnerId, scope.companyId));
    expect(item).toMatchObject({ totalsKept: true, listedSizeMb: 20 * GB, listedUsedMb: 2048 });
  });
});
