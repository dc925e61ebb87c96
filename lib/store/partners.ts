/**
 * Partners, and the reads the authorizer and the session check make of them with their caller's
 * key or account. Keys arrive here already hashed.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '#lib/clients/dynamodb.ts';
import type { Account } from '#lib/model.ts';
import { type ApiKey, type KeyLookup, keyLookupFromItem, newApiKeySteps } from './api-keys.ts';
import { accountFromItem, isEntity } from './items.ts';
import { ATTRIBUTE, ENTITY, keys } from './keys.ts';
import { credentialsFromItem, newStaffSteps, type Staff, type StaffCredentials } from './staff.ts';
import {
  getItem,
  getItems,
  type Item,
  keyId,
  type Page,
  transact,
  type WriteStep,
  write,
} from './table.ts';

export interface Partner {
  id: string;
  name: string;
  fineIncrements: boolean;
  createdAt: string;
}

export function partnerToItem(partner: Partner): Item {
  return { ...keys.partner(partner.id), entity: ENTITY.partner, ...partner };
}

export function partnerFromItem(item: Item): Partner {
  return {
    id: String(item.id ?? ''),
    name: typeof item.name === 'string' ? item.name : '',
    fineIncrements: item.fineIncrements === true,
    createdAt: String(item.createdAt ?? ''),
  };
}

export async function findPartner(partnerId: string): Promise<Partner | null> {
  const item = await getItem(keys.partner(partnerId));
  return isEntity(item, ENTITY.partner) ? partnerFromItem(item) : null;
}

/**
 * A new partner with its first key and, when it has one, its first owner. The owner is counted
 * on the partner item as it is written: one transaction cannot also update the item it puts.
 */
export async function putPartnerWithKey(
  partner: Partner,
  key: ApiKey,
  keyHash: string,
  owner: { staff: Staff; steps: WriteStep[] } | null = null,
): Promise<void> {
  await transact([
    {
      item: write.put(
        { ...partnerToItem(partner), activeOwners: owner ? 1 : 0 },
        'attribute_not_exists(PK)',
      ),
    },
    ...newApiKeySteps(key, keyHash),
    ...(owner ? [...newStaffSteps(owner.staff, { countOwner: false }), ...owner.steps] : []),
  ]);
}

export async function putStorageKey(keyHash: string, createdAt: string): Promise<void> {
  await transact([
    {
      item: write.put(
        { ...keys.apiKey(keyHash), entity: ENTITY.apiKey, role: 'storage', createdAt },
        'attribute_not_exists(PK)',
      ),
    },
  ]);
}

/**
 * Grants or withdraws fine increments; the partner as changed, or null for no such partner.
 * Keys and sessions read the partner item on every request, so the change holds at once.
 */
export async function setFineIncrements(partnerId: string, on: boolean): Promise<Partner | null> {
  const alreadyGone = new Error('no such partner');
  try {
    await transact([
      {
        item: write.update(
          keys.partner(partnerId),
          'SET fineIncrements = :on',
          { ':on': on },
          { condition: 'attribute_exists(PK)' },
        ),
        onConditionFailed: () => alreadyGone,
      },
    ]);
  } catch (error) {
    if (error === alreadyGone) return null;
    throw error;
  }
  return findPartner(partnerId);
}

/**
 * One page of a Scan for partner items, for the operator's list: partners have no partition of
 * their own to Query, and a rare operator command does not justify an index every partner write
 * would pay for. The cursor is the Scan's own position.
 */
export async function scanPartners(cursor: string | null): Promise<Page<Partner>> {
  const out = await documentClient.send(
    new ScanCommand({
      TableName: tableName(),
      FilterExpression: '#entity = :partner',
      ExpressionAttributeNames: { '#entity': ATTRIBUTE.entity },
      ExpressionAttributeValues: { ':partner': ENTITY.partner },
      ...(cursor
        ? { ExclusiveStartKey: JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) }
        : {}),
    }),
  );
  const last = out.LastEvaluatedKey;
  return {
    items: (out.Items ?? []).map(partnerFromItem),
    nextCursor: last ? Buffer.from(JSON.stringify(last), 'utf8').toString('base64url') : null,
  };
}

/** The lookup item of a key and the partner it names, in one BatchGetItem (consistent reads). */
export async function findKeyAndPartner(
  keyHash: string,
  partnerId: string,
): Promise<{ lookup: KeyLookup | null; partner: Partner | null }> {
  const lookupKey = keys.apiKey(keyHash);
  const partnerKey = keys.partner(partnerId);
  const found = await getItems([lookupKey, partnerKey]);
  const lookup = found.get(keyId(lookupKey));
  const partner = found.get(keyId(partnerKey));
  return {
    lookup: isEntity(lookup, ENTITY.apiKey) ? keyLookupFromItem(lookup) : null,
    partner: isEntity(partner, ENTITY.partner) ? partnerFromItem(partner) : null,
  };
}

/**
 * A session's partner and account, in one BatchGetItem; null for either not there. An
 * impersonation held by a staff member reads that member in the same request.
 */
export async function findPartnerAndAccount(
  partnerId: string,
  companyId: string,
  accountId: string,
  actingStaffId: string | null = null,
): Promise<{
  partner: Partner | null;
  account: Account | null;
  actingStaff: StaffCredentials | null;
}> {
  const partnerKey = keys.partner(partnerId);
  const accountKey = keys.account(partnerId, companyId, accountId);
  const staffKey = actingStaffId === null ? null : keys.staff(partnerId, actingStaffId);
  const found = await getItems([partnerKey, accountKey, ...(staffKey ? [staffKey] : [])]);
  const partner = found.get(keyId(partnerKey));
  const account = found.get(keyId(accountKey));
  const staff = staffKey ? found.get(keyId(staffKey)) : undefined;
  return {
    partner: isEntity(partner, ENTITY.partner) ? partnerFromItem(partner) : null,
    account: isEntity(account, ENTITY.account) ? accountFromItem(account) : null,
    actingStaff: isEntity(staff, ENTITY.staff) ? credentialsFromItem(staff) : null,
  };
}

/** A staff session's partner and member, in one BatchGetItem; null for either not there. */
export async function findPartnerAndStaff(
  partnerId: string,
  staffId: string,
): Promise<{ partner: Partner | null; staff: StaffCredentials | null }> {
  const partnerKey = keys.partner(partnerId);
  const staffKey = keys.staff(partnerId, staffId);
  const found = await getItems([partnerKey, staffKey]);
  const partner = found.get(keyId(partnerKey));
  const staff = found.get(keyId(staffKey));
  return {
    partner: isEntity(partner, ENTITY.partner) ? partnerFromItem(partner) : null,
    staff: isEntity(staff, ENTITY.staff) ? credentialsFromItem(staff) : null,
  };
}
