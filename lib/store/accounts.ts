import {
  accountCancelled,
  conflict,
  notFound,
  parentNotActive,
  planAlreadyHasParent,
  usernameTaken,
} from '#lib/errors.ts';
import type { Account, Company, Contact } from '#lib/model.ts';
import type { PlanName } from '#lib/rules/plans.ts';
import type { Suspension } from '#lib/rules/suspension.ts';
import { alertLevelClause } from './alerts.ts';
import {
  accountFromItem,
  accountToItem,
  companyFromItem,
  contactFromItem,
  isEntity,
  withTrialIndex,
} from './items.ts';
import { ATTRIBUTE, ENTITY, keys } from './keys.ts';
import { getItems, keyId, type Page, queryAll, queryPage, type WriteStep, write } from './table.ts';

/**
 * Everything a new account is: the account, its global username marker (never deleted, so a
 * username is never reused), the reference the storage service resolves account ids with, and
 * for a parent the marker that keeps one parent per plan.
 */
export function putNewAccount(account: Account): WriteStep[] {
  const steps: WriteStep[] = [
    { item: write.put(accountToItem(account), 'attribute_not_exists(PK)') },
    {
      item: write.put(
        {
          ...keys.username(account.username),
          entity: ENTITY.username,
          accountId: account.id,
          partnerId: account.partnerId,
          companyId: account.companyId,
        },
        'attribute_not_exists(PK)',
      ),
      onConditionFailed: () => usernameTaken(account.username),
    },
    {
      item: write.put({
        ...keys.accountRef(account.id),
        entity: ENTITY.accountRef,
        partnerId: account.partnerId,
        companyId: account.companyId,
      }),
    },
  ];
  if (account.kind === 'parent') steps.push(claimParentMarker(account, account.plan));
  return steps;
}

export function claimParentMarker(account: Account, plan: PlanName): WriteStep {
  return {
    item: write.put(
      {
        ...keys.parentMarker(account.partnerId, account.companyId, plan),
        entity: ENTITY.parentMarker,
        accountId: account.id,
      },
      'attribute_not_exists(PK)',
    ),
    onConditionFailed: () => planAlreadyHasParent(plan),
  };
}

export function releaseParentMarker(account: Account, plan: PlanName): WriteStep {
  return { item: write.delete(keys.parentMarker(account.partnerId, account.companyId, plan)) };
}

/**
 * A sub-account is added only while its parent is active, and counted on the parent in the
 * same write, so work on a parent without sub-accounts never has to look for them.
 */
export function attachSubAccount(parent: Account): WriteStep {
  return {
    item: write.update(
      keys.account(parent.partnerId, parent.companyId, parent.id),
      'SET subAccountCount = if_not_exists(subAccountCount, :zero) + :one',
      { ':zero': 0, ':one': 1, ':active': 'active' },
      { condition: '#status = :active', names: { '#status': 'status' } },
    ),
    onConditionFailed: () => parentNotActive(),
  };
}

/** Uncounts a cancelled sub-account on its parent. */
export function detachSubAccount(sub: Account): WriteStep {
  return {
    item: write.update(
      keys.account(sub.partnerId, sub.companyId, sub.parentId as string),
      'SET subAccountCount = if_not_exists(subAccountCount, :one) - :one',
      { ':one': 1 },
      { condition: 'attribute_exists(PK)' },
    ),
  };
}

export interface AccountContext {
  company: Company | null;
  account: Account | null;
  parent: Account | null;
  contact: Contact | null;
  /** Whether the plan asked about already has a parent account in the company. */
  planHasParent: boolean;
}

export interface AccountContextIds {
  accountId?: string;
  parentId?: string;
  contactId?: string;
  parentOfPlan?: PlanName;
}

/**
 * The company with the account, parent and contact a request names, and whether a plan already
 * has its parent, in one BatchGetItem. The transaction still decides (the markers are its
 * conditions); the read lets the plan conflict be told before a pool that is too small.
 */
export async function loadAccountContext(
  partnerId: string,
  companyId: string,
  ids: AccountContextIds,
): Promise<AccountContext> {
  const companyKey = keys.company(partnerId, companyId);
  const accountKey = ids.accountId ? keys.account(partnerId, companyId, ids.accountId) : null;
  const parentKey = ids.parentId ? keys.account(partnerId, companyId, ids.parentId) : null;
  const contactKey = ids.contactId ? keys.contact(partnerId, companyId, ids.contactId) : null;
  const markerKey = ids.parentOfPlan
    ? keys.parentMarker(partnerId, companyId, ids.parentOfPlan)
    : null;
  const found = await getItems(
    [companyKey, accountKey, parentKey, contactKey, markerKey].filter((key) => key !== null),
  );
  const pick = (key: typeof companyKey | null, entity: string) => {
    const item = key ? found.get(keyId(key)) : undefined;
    return isEntity(item, entity) ? item : undefined;
  };
  const companyItem = pick(companyKey, ENTITY.company);
  const accountItem = pick(accountKey, ENTITY.account);
  const parentItem = pick(parentKey, ENTITY.account);
  const contactItem = pick(contactKey, ENTITY.contact);
  return {
    company: companyItem ? companyFromItem(companyItem) : null,
    account: accountItem ? accountFromItem(accountItem) : null,
    parent: parentItem ? accountFromItem(parentItem) : null,
    contact: contactItem ? contactFromItem(contactItem) : null,
    planHasParent: pick(markerKey, ENTITY.parentMarker) !== undefined,
  };
}

/** The account with its company, or 404 (another tenant's ids are simply not found). */
export async function requireAccountContext(
  partnerId: string,
  companyId: string,
  accountId: string,
): Promise<{ company: Company; account: Account }> {
  const { company, account } = await loadAccountContext(partnerId, companyId, { accountId });
  if (!company || !account) throw notFound('Account');
  return { company, account };
}

export async function listAccounts(
  partnerId: string,
  companyId: string,
  limit: number,
  cursor: string | undefined,
): Promise<Page<Account>> {
  const { PK, skPrefix } = keys.accountsOf(partnerId, companyId);
  const page = await queryPage({ pk: PK, skPrefix, limit, cursor });
  return { items: page.items.map(accountFromItem), nextCursor: page.nextCursor };
}

export async function allAccounts(partnerId: string, companyId: string): Promise<Account[]> {
  const { PK, skPrefix } = keys.accountsOf(partnerId, companyId);
  return (await queryAll(PK, skPrefix)).map(accountFromItem);
}

export async function subAccountsOf(parent: Account): Promise<Account[]> {
  if (parent.kind !== 'parent' || parent.subAccountCount === 0) return [];
  const accounts = await allAccounts(parent.partnerId, parent.companyId);
  return accounts.filter((account) => account.parentId === parent.id);
}

/**
 * Replaces an account's mutable fields, on the condition that it is still as it was read
 * (`updatedAt` and use unchanged): a concurrent change makes this write fail rather than be lost. The
 * trial index keys follow the account: set while its trial is open, removed otherwise.
 */
export function saveAccount(before: Account, after: Account): WriteStep {
  const fields = [
    'plan',
    'status',
    'hardQuotaMb',
    'contactId',
    'trialEndsAt',
    'trialStage',
    'updatedAt',
  ] as const;
  const sets = fields.map((field) => `#${field} = :${field}`);
  const names: Record<string, string> = Object.fromEntries(fields.map((f) => [`#${f}`, f]));
  const values: Record<string, unknown> = Object.fromEntries(
    fields.map((f) => [`:${f}`, after[f]]),
  );
  values[':before'] = before.updatedAt;
  values[':subs'] = before.subAccountCount;
  // The alert level follows from the use read: a report landing in between fails this write.
  values[':usedBefore'] = before.usedMb;
  const level = alertLevelClause(before.alertLevel, after.alertLevel ?? 0, values);
  const expression = withTrialIndex(`SET ${sets.join(', ')}, ${level.set}`, values, after);
  return {
    item: write.update(
      keys.account(before.partnerId, before.companyId, before.id),
      expression,
      values,
      {
        // A sub-account added meanwhile would be missed by a conversion read before it.
        condition: `attribute_exists(PK) AND #updatedAt = :before AND (attribute_not_exists(subAccountCount) OR subAccountCount = :subs) AND usedMb = :usedBefore AND ${level.condition}`,
        names,
      },
    ),
    onConditionFailed: (current) => (current ? conflict() : notFound('Account')),
  };
}

/**
 * Marks one account cancelled unless it already is; its username marker stays. On the condition
 * that it is as it was read: the storage it returns to the pool is the size it was read with, so
 * a resize landing in between must make this fail (and be read again), not the counter drift;
 * so must a usage report, whose figure the usage table's totals drop with the account.
 */
export function cancelAccountStep(account: Account, at: string): WriteStep {
  return {
    item: write.update(
      keys.account(account.partnerId, account.companyId, account.id),
      `SET #status = :cancelled, updatedAt = :at, trialStage = :none REMOVE ${ATTRIBUTE.trialDuePk}, ${ATTRIBUTE.trialDueSk}`,
      {
        ':cancelled': 'cancelled',
        ':at': at,
        ':none': null,
        ':before': account.updatedAt,
        ':used': account.usedMb,
      },
      {
        condition:
          'attribute_exists(PK) AND #status <> :cancelled AND updatedAt = :before AND usedMb = :used',
        names: { '#status': 'status' },
      },
    ),
    onConditionFailed: () => conflict(),
  };
}

/**
 * An account's own suspension, on the condition that the account is as read and not cancelled:
 * a change in between is a lost race, read again.
 */
export function saveAccountSuspension(
  before: Account,
  suspension: Suspension | null,
  at: string,
): WriteStep {
  return {
    item: write.update(
      keys.account(before.partnerId, before.companyId, before.id),
      'SET suspension = :suspension, updatedAt = :at',
      {
        ':suspension': suspension,
        ':at': at,
        ':before': before.updatedAt,
        ':cancelled': 'cancelled',
      },
      {
        condition: 'attribute_exists(PK) AND updatedAt = :before AND #status <> :cancelled',
        names: { '#status': 'status' },
      },
    ),
    onConditionFailed: (current) => {
      if (!current) return notFound('Account');
      return current.status === 'cancelled' ? accountCancelled() : conflict();
    },
  };
}
