import { AppError, notFound } from '#lib/errors.ts';
import type { Account, Company, ListedTotals } from '#lib/model.ts';
import { listedTotalsOf } from '#lib/rules/listed-totals.ts';
import { allAccounts } from './accounts.ts';
import { keepListedTotals, listedTotalsClause } from './companies.ts';
import { accountFromItem, companyFromItem, isEntity } from './items.ts';
import { ENTITY, keys } from './keys.ts';
import {
  getItem,
  getItems,
  keyId,
  MAX_TRANSACTION_ITEMS,
  transact,
  type WriteStep,
  write,
} from './table.ts';

export interface UsageReport {
  accountId: string;
  usedMb: number;
}

/** The accounts behind storage-service ids (which carry no tenant path), in two batch reads. */
export async function accountsByIds(accountIds: string[]): Promise<Map<string, Account>> {
  const refs = await getItems(accountIds.map((id) => keys.accountRef(id)));
  const accountKeys = accountIds.flatMap((id) => {
    const ref = refs.get(keyId(keys.accountRef(id)));
    return isEntity(ref, ENTITY.accountRef)
      ? [keys.account(ref.partnerId as string, ref.companyId as string, id)]
      : [];
  });
  const found = new Map<string, Account>();
  if (accountKeys.length === 0) return found;
  for (const item of (await getItems(accountKeys)).values()) {
    if (isEntity(item, ENTITY.account)) {
      const account = accountFromItem(item);
      found.set(account.id, account);
    }
  }
  return found;
}

/**
 * Writes new usage figures: each account's `usedMb`, conditioned on the value it was read
 * with, and each company's total moved by the same deltas in the same transaction, so the
 * company figure never drifts from the sum of its accounts.
 */
export async function applyUsage(
  changes: Array<{ account: Account; usedMb: number }>,
  at: string,
  reply?: unknown,
) {
  const byCompany = new Map<string, Array<{ account: Account; usedMb: number }>>();
  for (const change of changes) {
    const companyKey = `${change.account.partnerId}|${change.account.companyId}`;
    byCompany.set(companyKey, [...(byCompany.get(companyKey) ?? []), change]);
  }
  let steps: WriteStep[] = [];
  const flush = async (last = false) => {
    // The last transaction also completes a keyed request's record (./committed-reply.ts).
    if (steps.length > 0) await transact(steps, last && reply !== undefined ? { reply } : {});
    steps = [];
  };
  // One item of every transaction is kept for that record.
  const capacity = MAX_TRANSACTION_ITEMS - 1;
  for (const group of byCompany.values()) {
    // Each company's group stays in one transaction with its counter update.
    for (let start = 0; start < group.length; start += capacity - 1) {
      const part = group.slice(start, start + capacity - 1);
      if (steps.length + part.length + 1 > capacity) await flush();
      const first = (part[0] as { account: Account }).account;
      let delta = 0;
      let listedDelta = 0;
      for (const { account, usedMb } of part) {
        delta += usedMb - account.usedMb;
        if (account.status !== 'cancelled') listedDelta += usedMb - account.usedMb;
        steps.push({
          item: write.update(
            keys.account(account.partnerId, account.companyId, account.id),
            'SET usedMb = :used',
            { ':used': usedMb, ':before': account.usedMb, ':status': account.status },
            // Whether the figure counts in the usage table's totals follows from the status read.
            { condition: 'usedMb = :before AND #status = :status', names: { '#status': 'status' } },
          ),
        });
      }
      const values: Record<string, unknown> = { ':delta': delta, ':at': at };
      const listed = listedTotalsClause({ sizeMb: 0, unlimited: 0, usedMb: listedDelta }, values);
      steps.push({
        item: write.update(
          keys.company(first.partnerId, first.companyId),
          `SET usedMb = usedMb + :delta, usageReportedAt = :at ${listed}`,
          values,
        ),
      });
    }
  }
  await flush(true);
}

/** Attempts at storing a first computation of the totals before answering with it unstored. */
const KEEP_ATTEMPTS = 3;

/**
 * The company and its usage-table totals: read from the company item, one GetItem. A company
 * written before the totals were kept has them computed once from all its accounts and stored,
 * on the condition that no change moved them meanwhile (else read and computed again).
 */
export async function companyWithTotals(
  partnerId: string,
  companyId: string,
): Promise<{ company: Company; totals: ListedTotals }> {
  for (let attempt = 1; ; attempt++) {
    const item = await getItem(keys.company(partnerId, companyId));
    if (!isEntity(item, ENTITY.company)) throw notFound('Company');
    const company = companyFromItem(item);
    if (company.listed) return { company, totals: company.listed };
    const totals = listedTotalsOf(await allAccounts(partnerId, companyId));
    const version = item.totalsVersion === undefined ? undefined : Number(item.totalsVersion);
    try {
      await transact([keepListedTotals(company, totals, version)]);
      return { company, totals };
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'CONFLICT')) throw error;
      if (attempt >= KEEP_ATTEMPTS) return { company, totals };
    }
  }
}
