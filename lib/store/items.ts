/**
 * toItem / fromItem per entity: the only place that knows how a record is laid out in the
 * table. Key attributes are added here and stripped again on the way out.
 */
import type { Account, Company, Contact } from '#lib/model.ts';
import { ENTITY, keys } from './keys.ts';
import type { Item } from './table.ts';

const KEY_ATTRIBUTES = ['PK', 'SK', 'entity', 'TrialDuePK', 'TrialDueSK', 'expiresAt'];

function strip<T>(item: Item): T {
  const record: Item = { ...item };
  for (const name of KEY_ATTRIBUTES) delete record[name];
  return record as T;
}

export function companyToItem(company: Company): Item {
  return {
    ...keys.company(company.partnerId, company.id),
    entity: ENTITY.company,
    ...company,
    // Kept beside allocatedMb because a condition expression cannot do arithmetic: the pool
    // check inside the transaction is `freeMb >= :n`.
    ...(company.quotaMb === null ? {} : { freeMb: company.quotaMb - company.allocatedMb }),
  };
}

export function companyFromItem(item: Item): Company {
  const { freeMb: _free, ...rest } = strip<Company & { freeMb?: number }>(item);
  return rest;
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
  };
}

export const accountFromItem = (item: Item): Account => strip<Account>(item);

export const isEntity = (item: Item | undefined, entity: string): item is Item =>
  item !== undefined && item.entity === entity;
