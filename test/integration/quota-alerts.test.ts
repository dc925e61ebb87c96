/**
 * Quota alerts of a usage report too large for one transaction: each company's group is split
 * across transactions that each write the company once, every alert rides with its account.
 */
import { describe, expect, it } from 'vitest';
import { reportUsage } from '#lib/provisioning/usage.ts';
import { allAccounts } from '#lib/store/accounts.ts';
import { findCompany } from '#lib/store/companies.ts';
import { createAccountIn, createCompanyFor, newScope } from '../support/builders.ts';
import { scanTable } from './scan.ts';

const GB = 1024;

describe('a usage report for more accounts than one transaction holds', () => {
  it('raises every account’s level with its event and e-mail, and the pool’s once', async () => {
    // Prepare: a 600 GB pool, the admin at 100 GB and 99 sub-accounts of 5 GB
    const created = await createCompanyFor(newScope(), {
      quotaMb: 600 * GB,
      admin: { hardQuotaMb: 100 * GB },
    });
    const scope = created.companyScope;
    const subs: string[] = [];
    for (let i = 0; i < 99; i++) {
      subs.push((await createAccountIn(scope, { parentId: created.account.id })).account.id);
    }

    // Act: a report of 100 accounts (the most one takes): every sub-account at 90 % (4608 MB)
    // and the admin full, the pool at 90.9 %; 100 accounts and their company are 101 keys to read
    await reportUsage([
      ...subs.map((accountId) => ({ accountId, usedMb: 4608 })),
      { accountId: created.account.id, usedMb: 100 * GB },
    ]);

    // Assess
    const accounts = await allAccounts(scope.partnerId, scope.companyId);
    const reported = accounts.filter((account) => subs.includes(account.id));
    expect(reported.every((account) => account.usedMb === 4608 && account.alertLevel === 90)).toBe(
      true,
    );
    const company = await findCompany(scope.partnerId, scope.companyId);
    expect(company).toMatchObject({ usedMb: 99 * 4608 + 100 * GB, alertLevel: 90 });
    expect(accounts.find((a) => a.id === created.account.id)?.alertLevel).toBe(100);
    const items = (await scanTable()).filter((item) => item.companyId === scope.companyId);
    const crossed = items.filter(
      (item) => item.entity === 'EVENT' && item.type === 'quota.threshold_crossed',
    );
    expect(crossed.filter((item) => item.accountId !== null)).toHaveLength(100);
    expect(crossed.filter((item) => item.accountId === null)).toHaveLength(1);
    const mails = items.filter((item) => item.entity === 'OUTBOX' && item.kind === 'quota-alert');
    expect(mails).toHaveLength(101);
  }, 60_000);
});
