/**
 * Partners and API keys: their items, and the reads and writes the authorizer, the session
 * check and the operator's scripts make of them. Keys arrive here already hashed.
 */
import type { Account } from '#lib/model.ts';
import { accountFromItem, isEntity } from './items.ts';
import { ENTITY, keys } from './keys.ts';
import { getItem, getItems, type Item, keyId, transact, write } from './table.ts';

export interface Partner {
  id: string;
  name: string;
  fineIncrements: boolean;
  createdAt: string;
}

/** What an API key opens: the storage service, or one partner (named on the key itself). */
export type ApiKey =
  | { role: 'storage' }
  | { role: 'partner'; partnerId: string; partnerName: string; fineIncrements: boolean };

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

export function apiKeyToItem(keyHash: string, key: ApiKey, createdAt: string): Item {
  // The partner's name and entitlements travel with the key so the authorizer resolves a
  // caller in one read.
  return { ...keys.apiKey(keyHash), entity: ENTITY.apiKey, ...key, createdAt };
}

/** Null for a revoked key or one of no known role. */
export function apiKeyFromItem(item: Item): ApiKey | null {
  if (item.revokedAt) return null;
  if (item.role === 'storage') return { role: 'storage' };
  if (item.role === 'partner' && typeof item.partnerId === 'string') {
    return {
      role: 'partner',
      partnerId: item.partnerId,
      partnerName: String(item.partnerName ?? ''),
      fineIncrements: item.fineIncrements === true,
    };
  }
  return null;
}

/** One eventually consistent GetItem: the authorizer's whole cost per uncached request. */
export async function findApiKey(keyHash: string): Promise<ApiKey | null> {
  const item = await getItem(keys.apiKey(keyHash), false);
  return isEntity(item, ENTITY.apiKey) ? apiKeyFromItem(item) : null;
}

/** A new partner and its first key, in one transaction; neither may exist yet. */
export async function putPartnerWithKey(partner: Partner, keyHash: string): Promise<void> {
  const key: ApiKey = {
    role: 'partner',
    partnerId: partner.id,
    partnerName: partner.name,
    fineIncrements: partner.fineIncrements,
  };
  await transact([
    { item: write.put(partnerToItem(partner), 'attribute_not_exists(PK)') },
    {
      item: write.put(apiKeyToItem(keyHash, key, partner.createdAt), 'attribute_not_exists(PK)'),
    },
  ]);
}

export async function putStorageKey(keyHash: string, createdAt: string): Promise<void> {
  await transact([
    {
      item: write.put(
        apiKeyToItem(keyHash, { role: 'storage' }, createdAt),
        'attribute_not_exists(PK)',
      ),
    },
  ]);
}

/** A session's partner and account, in one BatchGetItem; null for either not there. */
export async function findPartnerAndAccount(
  partnerId: string,
  companyId: string,
  accountId: string,
): Promise<{ partner: Partner | null; account: Account | null }> {
  const partnerKey = keys.partner(partnerId);
  const accountKey = keys.account(partnerId, companyId, accountId);
  const found = await getItems([partnerKey, accountKey]);
  const partner = found.get(keyId(partnerKey));
  const account = found.get(keyId(accountKey));
  return {
    partner: isEntity(partner, ENTITY.partner) ? partnerFromItem(partner) : null,
    account: isEntity(account, ENTITY.account) ? accountFromItem(account) : null,
  };
}
