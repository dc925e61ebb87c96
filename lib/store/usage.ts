import { AppError, notFound } from '#lib/errors.ts';
import type { Account, Company, ListedTotals } from '#lib/model.ts';
import type { AlertLevel } from '#lib/rules/alert-levels.ts';
import { listedTotalsOf } from '#lib/rules/listed-totals.ts';
import { allAccounts } from './accounts.ts';
import { type AlertEffects, alertItemCount, alertLevelClause, alertSteps } from './alerts.ts';
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

/** The key a usage report's company is known by: its partner and id. */
export const companyKeyOf = (record: { partnerId: string; companyId: string }): string =>
  `${record.partnerId}|${record.companyId}`;

/**
 * The accounts behind storage-service ids (which carry no tenant path), with their companies,
 * in two batch reads: the references first, then the accounts and their companies together.
 */
export async function accountsByIds(
  accountIds: string[],
): Promise<{ accounts: Map<string, Account>; companies: Map<string, Company> }> {
  const refs = await getItems(accountIds.map((id) => keys.accountRef(id)));
  const accountKeys: Array<ReturnType<typeof keys.account>> = [];
  const companyKeys = new Map<string, ReturnType<typeof keys.company>>();
  for (const id of accountIds) {
    const ref = refs.get(keyId(keys.accountRef(id)));
    if (!isEntity(ref, ENTITY.accountRef)) continue;
    const partnerId = ref.partnerId as string;
    const companyId = ref.companyId as string;
    accountKeys.push(keys.account(partnerId, companyId, id));
    companyKeys.set(companyKeyOf({ partnerId, companyId }), keys.company(partnerId, companyId));
  }
  const accounts = new Map<string, Account>();
  const companies = new Map<string, Company>();
  if (accountKeys.length === 0) return { accounts, companies };
  for (const item of (await getItems([...accountKeys, ...companyKeys.values()])).values()) {
    if (isEntity(item, ENTITY.account)) {
      const account = accountFromItem(item);
      accounts.set(account.id, account);
    } else if (isEntity(item, ENTITY.company)) {
      const company = companyFromItem(item);
      companies.set(companyKeyOf({ partnerId: company.partnerId, companyId: company.id }), company);
    }
  }
  return { accounts, companies };
}

/** One account's new figure, with the alert level it leaves the account at and what it tells. */
export interface AccountUsage {
  account: Account;
  usedMb: number;
  alertLevel: AlertLevel;
  alerts?: AlertEffects | undefined;
}

/**
 * A company's level after all of a report's changes to it. `watched` (a pool) conditions its
 * counter on the use and pool read, so the level is decided on the figure it is written with.
 */
export interface CompanyUsage {
  company: Company;
  watched: boolean;
  alertLevel: AlertLevel;
  alerts?: AlertEffects | undefined;
}

/** Items a company's group keeps free in each transaction: its counter and its alert's two. */
const COMPANY_ITEMS = 3;

function accountUsageSteps({ account, usedMb, alertLevel, alerts }: AccountUsage): WriteStep[] {
  const values: Record<string, unknown> = {
    ':used': usedMb,
    ':before': account.usedMb,
    ':status': account.status,
    ':version': account.updatedAt,
  };
  const level = alertLevelClause(account.alertLevel, alertLevel, values);
  return [
    {
      item: write.update(
        keys.account(account.partnerId, account.companyId, account.id),
        `SET usedMb = :used, ${level.set}`,
        values,
        // Whether the figure counts in the usage table's totals follows from the status read,
        // and the alert level from the quotas read (a resize moves `updatedAt`).
        {
          condition: `usedMb = :before AND #status = :status AND updatedAt = :version AND ${level.condition}`,
          names: { '#status': 'status' },
        },
      ),
    },
    ...alertSteps(alerts),
  ];
}

/** The company's counter moved by one part of its group; the last part also sets its level. */
function companyUsageSteps(
  usage: CompanyUsage | undefined,
  first: Account,
  part: AccountUsage[],
  expectedUsedMb: number,
  last: boolean,
  at: string,
): WriteStep[] {
  let delta = 0;
  let listedDelta = 0;
  for (const { account, usedMb } of part) {
    delta += usedMb - account.usedMb;
    if (account.status !== 'cancelled') listedDelta += usedMb - account.usedMb;
  }
  const values: Record<string, unknown> = { ':delta': delta, ':at': at };
  const listed = listedTotalsClause({ sizeMb: 0, unlimited: 0, usedMb: listedDelta }, values);
  let sets = 'usedMb = usedMb + :delta, usageReportedAt = :at';
  let condition: string | undefined;
  const steps: WriteStep[] = [];
  if (usage?.watched) {
    values[':usedBefore'] = expectedUsedMb;
    values[':quota'] = usage.company.quotaMb;
    condition = 'usedMb = :usedBefore AND quotaMb = :quota';
    if (last) {
      const level = alertLevelClause(usage.company.alertLevel, usage.alertLevel, values);
      sets += `, ${level.set}`;
      condition += ` AND ${level.condition}`;
      steps.push(...alertSteps(usage.alerts));
    }
  }
  return [
    {
      item: write.update(
        keys.company(first.partnerId, first.companyId),
        `SET ${sets} ${listed}`,
        values,
        condition ? { condition } : {},
      ),
    },
    ...steps,
  ];
}

/**
 * Writes new usage figures: each account's `usedMb`, conditioned on the value it was read
 * with, and each company's total moved by the same deltas in the same transaction, so the
 * company figure never drifts from the sum of its accounts. The alert levels they reach are
 * written by the same transactions, with their events and e-mails.
 */
export async function applyUsage(
  changes: AccountUsage[],
  companies: Map<string, CompanyUsage>,
  at: string,
  reply?: unknown,
) {
  const byCompany = new Map<string, AccountUsage[]>();
  for (const change of changes) {
    const companyKey = companyKeyOf(change.account);
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
  for (const [companyKey, group] of byCompany) {
    const usage = companies.get(companyKey);
    // Each company's group stays in one transaction with its counter update, in parts if large.
    const parts: AccountUsage[][] = [];
    let part: AccountUsage[] = [];
    let size = 0;
    for (const change of group) {
      const items = 1 + alertItemCount(change.alerts);
      if (part.length > 0 && size + items + COMPANY_ITEMS > capacity) {
        parts.push(part);
        part = [];
        size = 0;
      }
      part.push(change);
      size += items;
    }
    parts.push(part);
    let expectedUsedMb = usage?.company.usedMb ?? 0;
    for (const [index, current] of parts.entries()) {
      const first = (current[0] as AccountUsage).account;
      const partSteps = [
        ...current.flatMap(accountUsageSteps),
        ...companyUsageSteps(usage, first, current, expectedUsedMb, index === parts.length - 1, at),
      ];
      // A transaction may write the company item once: a further part goes in the next one.
      if (index > 0 || steps.length + partSteps.length > capacity) await flush();
      steps.push(...partSteps);
      for (const { account, usedMb } of current) expectedUsedMb += usedMb - account.usedMb;
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
