/**
 * The usage table's totals over the accounts it lists, and how a change moves them:
 * the transactions that change accounts move the company's stored totals by these deltas.
 */
import type { Account, ListedTotals } from '#lib/model.ts';
import { effectiveQuotaMb } from './quota.ts';

/** The usage table's totals over these accounts: those it lists, that is, not cancelled. */
export function listedTotalsOf(accounts: Account[]): ListedTotals {
  const totals: ListedTotals = { sizeMb: 0, unlimited: 0, usedMb: 0 };
  for (const account of accounts) {
    if (account.status === 'cancelled') continue;
    const size = effectiveQuotaMb(account.hardQuotaMb, account.userQuotaMb);
    if (size === null) totals.unlimited += 1;
    else totals.sizeMb += size;
    totals.usedMb += account.usedMb;
  }
  return totals;
}

/** How a change of these accounts (as read, then as written) moves the usage table's totals. */
export function listedDelta(before: Account[], after: Account[]): ListedTotals {
  const was = listedTotalsOf(before);
  const is = listedTotalsOf(after);
  return {
    sizeMb: is.sizeMb - was.sizeMb,
    unlimited: is.unlimited - was.unlimited,
    usedMb: is.usedMb - was.usedMb,
  };
}

export const isNoChange = (delta: ListedTotals): boolean =>
  delta.sizeMb === 0 && delta.unlimited === 0 && delta.usedMb === 0;
