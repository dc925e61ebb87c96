import { describe, expect, it } from 'vitest';
import { AppError } from '#lib/errors.ts';
import { cancelAccount, createAccount, updateAccount } from '#lib/provisioning/accounts.ts';
import { createCompany } from '#lib/provisioning/companies.ts';
import { pooledMbOf } from '#lib/rules/quota.ts';
import { allAccounts } from '#lib/store/accounts.ts';
import { keys } from '#lib/store/keys.ts';
import { getItem } from '#lib/store/table.ts';
import { companyBody, inCompany, newScope, uniqueUsername } from '../support/builders.ts';

/** What a request may answer in a race: success, or a domain reason. Never a 5xx or CONFLICT. */
const DOMAIN_REFUSALS = new Set(['POOL_EXCEEDED', 'ACCOUNT_CANCELLED']);

describe('one pooled company under concurrent creates, resizes and cancels', () => {
  it('keeps the pool counter equal to the sum of its accounts and never over the quota', async () => {
    // Prepare: a pool of 100 GB, a 10 GB admin and 12 sub-accounts of 5 GB (free 20 GB).
    const scope = newScope();
    const body = companyBody({ quotaMb: 102400, admin: { hardQuotaMb: 10240 } });
    const { company, account: admin } = await createCompany(scope, body);
    const inPool = inCompany(scope, company.id);
    const create = () =>
      createAccount(inPool, {
        username: uniqueUsername('race'),
        parentId: admin.id,
        hardQuotaMb: 5120,
      });
    for (let i = 0; i < 12; i++) await create();

    const tally = { created: 0, resized: 0, cancelled: 0, poolExceeded: 0, cancelledMeanwhile: 0 };
    const unexpected: string[] = [];
    const checkPool = async () => {
      // The raw item: the counter as stored, freeMb included.
      const counter = await getItem(keys.company(scope.partnerId, company.id));
      const accounts = await allAccounts(scope.partnerId, company.id);
      const sum = accounts.reduce((total, a) => total + pooledMbOf(a, true), 0);
      expect(counter?.allocatedMb).toBe(sum);
      expect(counter?.freeMb).toBe(102400 - sum);
      expect(sum).toBeLessThanOrEqual(102400);
      return accounts;
    };

    for (let wave = 0; wave < 2; wave++) {
      const subs = (await checkPool()).filter((a) => a.kind === 'sub' && a.status === 'active');
      // 50 at once: 20 creates, 20 resizes and 10 cancels, some on the same accounts.
      const requests: Array<() => Promise<keyof typeof tally>> = [
        ...Array.from({ length: 20 }, () => async () => {
          await create();
          return 'created' as const;
        }),
        ...Array.from({ length: 20 }, (_, i) => async () => {
          const target = subs[i % subs.length];
          const hardQuotaMb = i % 2 === 0 ? 10240 : 5120;
          await updateAccount(inPool, target?.id as string, { hardQuotaMb });
          return 'resized' as const;
        }),
        ...Array.from({ length: 10 }, (_, i) => async () => {
          await cancelAccount(inPool, subs[(i * 2) % subs.length]?.id as string);
          return 'cancelled' as const;
        }),
      ];
      const results = await Promise.allSettled(requests.map((run) => run()));
      for (const result of results) {
        if (result.status === 'fulfilled') tally[result.value]++;
        else if (result.reason instanceof AppError && DOMAIN_REFUSALS.has(result.reason.code)) {
          if (result.reason.code === 'POOL_EXCEEDED') tally.poolExceeded++;
          else tally.cancelledMeanwhile++;
        } else {
          const reason = result.reason as AppError;
          unexpected.push(`${reason.status ?? 500} ${reason.code ?? reason.message}`);
        }
      }
    }
    await checkPool();

    console.log(
      `concurrency: 100 requests in 2 waves of 50, ${tally.created} created, ${tally.resized} resized, ${tally.cancelled} cancelled, ${tally.poolExceeded} refused POOL_EXCEEDED, ${tally.cancelledMeanwhile} refused ACCOUNT_CANCELLED, pool counter = sum`,
    );
    expect(unexpected).toEqual([]);
    expect(tally.created + tally.resized + tally.cancelled).toBeGreaterThan(0);
  }, 180_000);
});
