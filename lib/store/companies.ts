import {
  type AppError,
  companyCancelled,
  conflict,
  notFound,
  poolBelowAllocated,
  poolExceeded,
} from '#lib/errors.ts';
import type { Company, ListedTotals } from '#lib/model.ts';
import type { AlertLevel } from '#lib/rules/alert-levels.ts';
import { isNoChange } from '#lib/rules/listed-totals.ts';
import type { Suspension } from '#lib/rules/suspension.ts';
import { alertLevelClause } from './alerts.ts';
import { companyFromItem, companyToItem, isEntity, listedTotalsAttributes } from './items.ts';
import { ENTITY, keys } from './keys.ts';
import { getItem, type Item, type Page, queryPage, type WriteStep, write } from './table.ts';

export async function findCompany(partnerId: string, companyId: string): Promise<Company | null> {
  const item = await getItem(keys.company(partnerId, companyId));
  return isEntity(item, ENTITY.company) ? companyFromItem(item) : null;
}

export async function requireCompany(partnerId: string, companyId: string): Promise<Company> {
  const company = await findCompany(partnerId, companyId);
  if (!company) throw notFound('Company');
  return company;
}

export async function listCompanies(
  partnerId: string,
  limit: number,
  cursor: string | undefined,
): Promise<Page<Company>> {
  const { PK, skPrefix } = keys.companiesOf(partnerId);
  const page = await queryPage({ pk: PK, skPrefix, limit, cursor });
  return { items: page.items.map(companyFromItem), nextCursor: page.nextCursor };
}

export function putNewCompany(company: Company): WriteStep {
  return {
    item: write.put(companyToItem(company), 'attribute_not_exists(PK)'),
    onConditionFailed: () => conflict(),
  };
}

/** Why an allocation's condition failed, from the company as the transaction found it. */
function allocationRefused(current: Item | undefined, requestedMb: number): AppError {
  if (!current) return notFound('Company');
  if (current.status !== 'active') return companyCancelled();
  return poolExceeded(Number(current.freeMb ?? 0), requestedMb);
}

/**
 * The ADD clause that moves the totals: ADD composes with concurrent changes without a condition
 * and starts from 0 on a company written before the totals were kept (see `keepListedTotals`).
 * `totalsVersion` counts the changes, so a first computation can tell one landed meanwhile.
 */
export function listedTotalsClause(delta: ListedTotals, values: Record<string, unknown>): string {
  values[':listedSize'] = delta.sizeMb;
  values[':listedUnlimited'] = delta.unlimited;
  values[':listedUsed'] = delta.usedMb;
  values[':listedChange'] = 1;
  return 'ADD listedSizeMb :listedSize, listedUnlimited :listedUnlimited, listedUsedMb :listedUsed, totalsVersion :listedChange';
}

/** The totals moved on their own, for a change whose transaction does not write the company. */
export function changeListedTotals(
  company: Pick<Company, 'partnerId' | 'id'>,
  delta: ListedTotals,
): WriteStep {
  const values: Record<string, unknown> = {};
  const clause = listedTotalsClause(delta, values);
  return {
    item: write.update(keys.company(company.partnerId, company.id), clause, values, {
      condition: 'attribute_exists(PK)',
    }),
    onConditionFailed: () => notFound('Company'),
  };
}

/**
 * Stores totals computed from all the accounts of a company written before they were kept, on
 * the condition that no change has moved them since the company was read (before the accounts).
 */
export function keepListedTotals(
  company: Pick<Company, 'partnerId' | 'id'>,
  totals: ListedTotals,
  versionRead: number | undefined,
): WriteStep {
  const attributes = listedTotalsAttributes(totals);
  const names = Object.fromEntries(Object.keys(attributes).map((name) => [`#${name}`, name]));
  const values: Record<string, unknown> = Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [`:${name}`, value]),
  );
  let unchanged = 'attribute_not_exists(totalsVersion)';
  if (versionRead !== undefined) {
    unchanged = 'totalsVersion = :versionRead';
    values[':versionRead'] = versionRead;
  }
  return {
    item: write.update(
      keys.company(company.partnerId, company.id),
      `SET ${Object.keys(attributes)
        .map((name) => `#${name} = :${name}`)
        .join(', ')}`,
      values,
      {
        condition: `attribute_exists(PK) AND attribute_not_exists(totalsKept) AND ${unchanged}`,
        names,
      },
    ),
    onConditionFailed: () => conflict(),
  };
}

export interface AllocationChange {
  /** MB added to (positive) or returned to (negative) the pool. */
  pooledDeltaMb: number;
  accountCountDelta: number;
  usedDeltaMb?: number;
  at: string;
  /** Whether the company has a pool (fixed for the company's life). */
  pooled: boolean;
  /** Require the company to be active (new allocations); false when only returning storage. */
  requireActive: boolean;
  /** How the change moves the usage table's totals (`listedDelta`). */
  listed?: ListedTotals;
}

/**
 * The pool counter, updated inside the same transaction as the accounts it counts. Growth is
 * guarded by `freeMb >= :delta`, so concurrent allocations can never take the pool over.
 */
export function changeAllocation(
  company: Pick<Company, 'partnerId' | 'id'>,
  change: AllocationChange,
): WriteStep {
  const values: Record<string, unknown> = {
    ':count': change.accountCountDelta,
    ':used': change.usedDeltaMb ?? 0,
    ':at': change.at,
  };
  let expression =
    'SET accountCount = accountCount + :count, usedMb = usedMb + :used, updatedAt = :at';
  const conditions = ['attribute_exists(PK)'];
  if (change.requireActive) {
    conditions.push('#status = :active');
    values[':active'] = 'active';
  }
  if (change.pooled && change.pooledDeltaMb !== 0) {
    values[':delta'] = change.pooledDeltaMb;
    values[':negDelta'] = -change.pooledDeltaMb;
    expression += ', allocatedMb = allocatedMb + :delta, freeMb = freeMb + :negDelta';
    if (change.pooledDeltaMb > 0) conditions.push('freeMb >= :delta');
  }
  if (change.listed && !isNoChange(change.listed)) {
    expression += ` ${listedTotalsClause(change.listed, values)}`;
  }
  return {
    item: write.update(keys.company(company.partnerId, company.id), expression, values, {
      condition: conditions.join(' AND '),
      ...(change.requireActive ? { names: { '#status': 'status' } } : {}),
    }),
    onConditionFailed: (current) => allocationRefused(current, change.pooledDeltaMb),
  };
}

export interface CompanyChanges {
  name?: string;
  quotaMb?: number;
  licenses?: { egr: number; spV5: number };
  endGuard?: boolean;
}

/**
 * Rename, licences, EndGuard and pool resize in one update. A pool may shrink only while
 * `allocatedMb` fits, checked in the same write: `freeMb` moves by the same amount as `quotaMb`.
 */
export function updateCompanyStep(
  company: Company,
  changes: CompanyChanges,
  at: string,
  alertLevel: AlertLevel = company.alertLevel ?? 0,
): WriteStep {
  const sets = ['updatedAt = :at'];
  const values: Record<string, unknown> = { ':at': at, ':active': 'active' };
  const conditions = ['attribute_exists(PK)', '#status = :active'];
  if (changes.name !== undefined) {
    sets.push('#name = :name');
    values[':name'] = changes.name;
  }
  if (changes.licenses !== undefined) {
    sets.push('licenses = :licenses');
    values[':licenses'] = changes.licenses;
  }
  if (changes.endGuard !== undefined) {
    sets.push('endGuard = :endGuard');
    values[':endGuard'] = changes.endGuard;
  }
  if (changes.quotaMb !== undefined && company.quotaMb !== null) {
    const delta = changes.quotaMb - company.quotaMb;
    sets.push('quotaMb = :quota', 'freeMb = freeMb + :delta');
    values[':quota'] = changes.quotaMb;
    values[':delta'] = delta;
    values[':allocatedCap'] = changes.quotaMb;
    // freeMb moves by the difference to the pool as read: a resize in between is a lost race.
    values[':quotaBefore'] = company.quotaMb;
    conditions.push('allocatedMb <= :allocatedCap', 'quotaMb = :quotaBefore');
    // The pool's alert level is decided on the use read: a report in between is a lost race.
    const level = alertLevelClause(company.alertLevel, alertLevel, values);
    values[':usedBefore'] = company.usedMb;
    sets.push(level.set);
    conditions.push('usedMb = :usedBefore', level.condition);
  }
  return {
    item: write.update(
      keys.company(company.partnerId, company.id),
      `SET ${sets.join(', ')}`,
      values,
      {
        condition: conditions.join(' AND '),
        names: { '#status': 'status', ...(changes.name !== undefined ? { '#name': 'name' } : {}) },
      },
    ),
    onConditionFailed: (current) => {
      if (!current) return notFound('Company');
      if (current.status !== 'active') return companyCancelled();
      if (
        changes.quotaMb !== undefined &&
        (current.quotaMb !== company.quotaMb ||
          current.usedMb !== company.usedMb ||
          (current.alertLevel ?? 0) !== (company.alertLevel ?? 0))
      ) {
        return conflict();
      }
      return poolBelowAllocated(Number(current.allocatedMb));
    },
  };
}

/**
 * The company's own cancellation, the last step of cancelling it: on the condition that no
 * account is left open, so one created while the others were being cancelled is not left active
 * in a cancelled company (`onOpenAccounts` then says so, and the caller sweeps again).
 */
export function cancelCompanyStep(
  company: Company,
  at: string,
  onOpenAccounts: () => Error,
): WriteStep {
  return {
    item: write.update(
      keys.company(company.partnerId, company.id),
      'SET #status = :cancelled, updatedAt = :at',
      { ':cancelled': 'cancelled', ':at': at, ':none': 0 },
      {
        condition: 'attribute_exists(PK) AND accountCount = :none',
        names: { '#status': 'status' },
      },
    ),
    onConditionFailed: onOpenAccounts,
  };
}

/**
 * A company's suspension, on the condition that the company is as read and active. Its accounts
 * are not written: their views combine the company's suspension with their own.
 */
export function saveCompanySuspension(
  before: Company,
  suspension: Suspension | null,
  at: string,
): WriteStep {
  return {
    item: write.update(
      keys.company(before.partnerId, before.id),
      'SET suspension = :suspension, updatedAt = :at',
      { ':suspension': suspension, ':at': at, ':before': before.updatedAt, ':active': 'active' },
      {
        condition: 'attribute_exists(PK) AND updatedAt = :before AND #status = :active',
        names: { '#status': 'status' },
      },
    ),
    onConditionFailed: (current) => {
      if (!current) return notFound('Company');
      return current.status !== 'active' ? companyCancelled() : conflict();
    },
  };
}
