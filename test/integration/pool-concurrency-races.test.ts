import { describe, expect, it } from 'vitest';
import { createAccount, updateAccount } from '#lib/provisioning/accounts.ts';
import { createCompany } from '#lib/provisioning/companies.ts';
import { reportUsage } from '#lib/provisioning/usage.ts';
import { keys } from '#lib/store/keys.ts';
import { getItem } from '#lib/store/table.ts';
import { companyBody, inCompany, newScope, uniqueUsername } from '../support/builders.ts';

/** An account's item as stored, or (null) its company's: the counters included. */
async function findAccount(partnerId: string, companyId: string, accountId: string | null) {
  const key = accountId
    ? keys.account(partnerId, companyId, accountId)
    : keys.company(partnerId, companyId);
  return (await getItem(key)) as
    | { usedMb?: number; hardQuotaMb?: number; allocatedMb?: number }
    | undefined;
}

/** The codes of the requests that were refused, in order. */
const refusalCodes = (results: PromiseSettledResult<unknown>[]) =>
  results
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => r.reason?.code);

describe('ten concurrent requests on one object', () => {
  it('absorbs ten usage reports for one account: all succeed, the company total follows', async () => {
    const scope = newScope();
    const { company, account } = await createCompany(scope, companyBody());

    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        reportUsage([{ accountId: account.id, usedMb: 100 * (i + 1) }]),
      ),
    );

    expect(refusalCodes(results)).toEqual([]);
    const stored = await findAccount(scope.partnerId, company.id, account.id);
    const counter = await findAccount(scope.partnerId, company.id, null);
    expect(counter?.usedMb).toBe(stored?.usedMb);
  }, 120_000);

  it('absorbs ten resizes of one account: all succeed, the pool follows the last', async () => {
    const scope = newScope();
    const body = companyBody({ quotaMb: 102400, admin: { hardQuotaMb: 10240 } });
    const { company, account: admin } = await createCompany(scope, body);
    const inPool = inCompany(scope, company.id);
    const { account } = await createAccount(inPool, {
      username: uniqueUsername('resize'),
      parentId: admin.id,
      hardQuotaMb: 5120,
    });

    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        updateAccount(inPool, account.id, { hardQuotaMb: i % 2 === 0 ? 10240 : 5120 }),
      ),
    );

    expect(refusalCodes(results)).toEqual([]);
    const stored = await findAccount(scope.partnerId, company.id, account.id);
    const counter = await findAccount(scope.partnerId, company.id, null);
    expect(counter?.allocatedMb).toBe(10240 + (stored?.hardQuotaMb ?? 0));
  }, 120_000);
});
