import type * as z from 'zod/mini';
import type {
  usageReportResultResponse,
  usageRowResponse,
  usageTableResponse,
} from '#lib/api/responses.ts';
import { type Account, type Company, companyAddOns, toAccountView } from '#lib/model.ts';
import { accountAlert, companyAlert } from '#lib/rules/alert-levels.ts';
import { percentUsed } from '#lib/rules/quota.ts';
import { listAccounts } from '#lib/store/accounts.ts';
import {
  type AccountUsage,
  accountsByIds,
  applyUsage,
  type CompanyUsage,
  companyKeyOf,
  companyWithTotals,
  type UsageReport,
} from '#lib/store/usage.ts';
import { type AlertScope, alertEffects } from './alerts.ts';
import { retryingLostRaces } from './retry.ts';
import type { CompanyScope } from './scope.ts';

export type UsageRow = z.output<typeof usageRowResponse>;
export type UsageTable = z.output<typeof usageTableResponse>;

const usageRow = (account: Account, addOns: ReturnType<typeof companyAddOns>): UsageRow => {
  const view = toAccountView(account, addOns);
  return {
    accountId: view.id,
    username: view.username,
    kind: view.kind,
    plan: view.plan,
    status: view.status,
    sizeMb: view.effectiveQuotaMb,
    usedMb: view.usedMb,
    percentUsed: view.percentUsed,
  };
};

/**
 * The "Backup Account Usage" table: every account that is not cancelled, with the size that
 * applies to it (its effective quota), what it stores and the percentage, a page at a time like
 * every list; the totals always cover all of them (kept on the company), and their size is null
 * (unlimited) as soon as one account is unlimited.
 */
export async function usageTable(
  scope: CompanyScope,
  page: { limit: number; cursor?: string | undefined },
): Promise<UsageTable> {
  const { companyId } = scope;
  // The totals are kept on the company item, so a page reads it and one page of accounts; the
  // cancelled accounts among those are left out, so a page may hold fewer rows than `limit`.
  const { company, totals } = await companyWithTotals(scope.partnerId, companyId);
  const addOns = companyAddOns(company);
  const shown = await listAccounts(scope.partnerId, companyId, page.limit, page.cursor);
  const sizeMb = totals.unlimited > 0 ? null : totals.sizeMb;
  return {
    companyId: company.id,
    companyName: company.name,
    items: shown.items
      .filter((account) => account.status !== 'cancelled')
      .map((account) => usageRow(account, addOns)),
    nextCursor: shown.nextCursor,
    totals: {
      accounts: company.accountCount,
      sizeMb,
      usedMb: totals.usedMb,
      percentUsed: percentUsed(totals.usedMb, sizeMb),
    },
  };
}

export type UsageReportResult = z.output<typeof usageReportResultResponse>;

/** Reports for one account may arrive together: each loses at most one race to each other. */
const REPORT_ATTEMPTS = 10;

/** Who usage reports' alerts are told as: the storage service, through the service. */
const reportScope = (partnerId: string): AlertScope => ({
  partnerId,
  partnerName: '',
  actor: 'system:usage-reports',
});

/**
 * The alert levels a report's figures reach (SPEC §2.9): each account on its effective quota,
 * each company with a pool on its total use, decided on the figures as read; the writes are
 * conditioned on those, so a report that raced another is read again and decided again.
 */
export function planUsage(
  changes: Array<{ account: Account; usedMb: number }>,
  companies: Map<string, Company>,
  now: Date,
): { accounts: AccountUsage[]; companies: Map<string, CompanyUsage> } {
  const accounts = changes.map(({ account, usedMb }): AccountUsage => {
    const alert = accountAlert({ ...account, usedMb });
    const after = { ...account, usedMb, alertLevel: alert.level };
    return {
      account,
      usedMb,
      alertLevel: alert.level,
      alerts: alert.change
        ? alertEffects(reportScope(account.partnerId), now, [
            { subject: 'account', account: after, change: alert.change },
          ])
        : undefined,
    };
  });
  const deltas = new Map<string, number>();
  for (const { account, usedMb } of changes) {
    const key = companyKeyOf(account);
    deltas.set(key, (deltas.get(key) ?? 0) + usedMb - account.usedMb);
  }
  const planned = new Map<string, CompanyUsage>();
  for (const [key, delta] of deltas) {
    const company = companies.get(key);
    if (!company) continue;
    const after = { ...company, usedMb: company.usedMb + delta };
    const alert = companyAlert(after);
    planned.set(key, {
      company,
      watched: company.quotaMb !== null,
      alertLevel: alert.level,
      alerts: alert.change
        ? alertEffects(reportScope(company.partnerId), now, [
            {
              subject: 'company',
              company: { ...after, alertLevel: alert.level },
              change: alert.change,
            },
          ])
        : undefined,
    });
  }
  return { accounts, companies: planned };
}

/**
 * Reports from the storage service. They are absolute figures: a concurrent report for the same
 * account (or, in a pool, the same company) makes the conditioned write fail, and the batch is
 * read again and re-applied. The alert levels they reach are written with them.
 */
export function reportUsage(reports: UsageReport[], now = new Date()): Promise<UsageReportResult> {
  const latest = new Map<string, number>();
  for (const report of reports) latest.set(report.accountId, report.usedMb);
  const ids = [...latest.keys()];
  return retryingLostRaces(async () => {
    const { accounts, companies } = await accountsByIds(ids);
    const changes = [...accounts.values()]
      .map((account) => ({ account, usedMb: latest.get(account.id) as number }))
      .filter(({ account, usedMb }) => account.usedMb !== usedMb);
    const reply = {
      accepted: accounts.size,
      unknownAccountIds: ids.filter((id) => !accounts.has(id)),
    };
    const plan = planUsage(changes, companies, now);
    await applyUsage(plan.accounts, plan.companies, now.toISOString(), reply);
    return reply;
  }, REPORT_ATTEMPTS);
}
