/**
 * toItem / fromItem per entity: the only place that knows how a record is laid out in the
 * table. Key attributes are added here and stripped again on the way out.
 */
import type { Account, Company, Contact, ListedTotals } from '#lib/model.ts';
import { freeMb } from '#lib/rules/quota.ts';
import { dueBucket, stageDueAt } from '#lib/rules/trials.ts';
import { ATTRIBUTE, ENTITY, keys } from './keys.ts';
import type { Item } from './table.ts';

/** Attributes of the table's own, not of the records: keys, and which e-mail set a password. */
const KEY_ATTRIBUTES = [
  ATTRIBUTE.pk,
  ATTRIBUTE.sk,
  ATTRIBUTE.entity,
  ATTRIBUTE.trialDuePk,
  ATTRIBUTE.trialDueSk,
  ATTRIBUTE.expiresAt,
  'passwordMessageId',
];

function strip<T>(item: Item): T {
  const record: Item = { ...item };
  for (const name of KEY_ATTRIBUTES) delete record[name];
  return record as T;
}

export function companyToItem(company: Company): Item {
  const { listed, ...rest } = company;
  return {
    ...keys.company(company.partnerId, company.id),
    entity: ENTITY.company,
    ...rest,
    // Kept beside allocatedMb because a condition expression cannot do arithmetic: the pool
    // check inside the transaction is `freeMb >= :n`.
    ...(company.quotaMb === null ? {} : { freeMb: freeMb(company) }),
    ...(listed ? listedTotalsAttributes(listed) : {}),
  };
}

/**
 * The usage table's totals as flat attributes, so every change can ADD to them. `totalsKept`
 * says they are complete: changes made before they were first computed also ADD to them.
 */
export const listedTotalsAttributes = (listed: ListedTotals) => ({
  listedSizeMb: listed.sizeMb,
  listedUnlimited: listed.unlimited,
  listedUsedMb: listed.usedMb,
  totalsKept: true,
});

const LISTED_ATTRIBUTES = [
  'freeMb',
  'listedSizeMb',
  'listedUnlimited',
  'listedUsedMb',
  'totalsKept',
  'totalsVersion',
];

export function companyFromItem(item: Item): Company {
  const record = strip<Company & Record<string, unknown>>(item);
  for (const name of LISTED_ATTRIBUTES) delete record[name];
  if (item.totalsKept !== true) return record;
  return {
    ...record,
    listed: {
      sizeMb: Number(item.listedSizeMb ?? 0),
      unlimited: Number(item.listedUnlimited ?? 0),
      usedMb: Number(item.listedUsedMb ?? 0),
    },
  };
}

export function contactToItem(partnerId: string, contact: Contact): Item {
  return {
    ...keys.contact(partnerId, contact.companyId, contact.id),
    entity: ENTITY.contact,
    ...contact,
  };
}

export const contactFromItem = (item: Item): Contact => strip<Contact>(item);

export function accountToItem(account: Account): Item {
  return {
    ...keys.account(account.partnerId, account.companyId, account.id),
    entity: ENTITY.account,
    ...account,
    ...(trialIndexKeys(account) ?? {}),
  };
}

/** The trial index keys an account carries: present only while its trial is open. */
export function trialIndexKeys(
  account: Account,
): { TrialDuePK: string; TrialDueSK: string } | null {
  if (!account.trialStage || !account.trialEndsAt || account.status === 'cancelled') return null;
  const dueAt = stageDueAt(account.trialEndsAt, account.trialStage);
  return keys.trialDue(dueBucket(dueAt, account.updatedAt), dueAt, account.id);
}

/**
 * Appends to an update expression (which must end in its SET clause) what keeps the account's
 * trial index entry right: set to its next due bucket, or removed once the trial is closed.
 */
export function withTrialIndex(
  setExpression: string,
  values: Record<string, unknown>,
  account: Account,
): string {
  const index = trialIndexKeys(account);
  const { trialDuePk, trialDueSk } = ATTRIBUTE;
  if (!index) return `${setExpression} REMOVE ${trialDuePk}, ${trialDueSk}`;
  values[':duePk'] = index[trialDuePk];
  values[':dueSk'] = index[trialDueSk];
  return `${setExpression}, ${trialDuePk} = :duePk, ${trialDueSk} = :dueSk`;
}

export function accountFromItem(item: Item): Account {
  const account = strip<Account>(item);
  return {
    ...account,
    trialStage: account.trialStage ?? null,
    subAccountCount: account.subAccountCount ?? 0,
  };
}

export const isEntity = (item: Item | undefined, entity: string): item is Item =>
  item !== undefined && item.entity === entity;
