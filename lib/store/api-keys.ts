/**
 * A partner's API keys. Each key is two items written and revoked together: the lookup item under
 * the key's SHA-256 hash (what the authorizer reads) and the listing item in the partner's own
 * partition, so a partner's keys are one Query and one key is one GetItem. A listing item rather
 * than a sparse index over the lookup items: the listing is then read consistently, a key just
 * created or revoked shows so at once, and the partition stays the partner's. The key itself is
 * never stored; the listing item keeps the hash so a revoke reaches the lookup item.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '#lib/clients/dynamodb.ts';
import { touchedBefore } from '#lib/rules/api-keys.ts';
import { isEntity } from './items.ts';
import { ATTRIBUTE, ENTITY, INDEX, keys } from './keys.ts';
import {
  getItem,
  type Item,
  type Page,
  queryPage,
  transact,
  type WriteStep,
  write,
  writeItemsOnce,
} from './table.ts';

export type ApiKeyScope = 'full' | 'read';

/** A key as its partner lists it; never the key itself. */
export interface ApiKey {
  id: string;
  partnerId: string;
  name: string;
  scope: ApiKeyScope;
  /** The key's first characters, to tell keys apart; far too few to guess the rest. */
  prefix: string;
  createdAt: string;
  /** `operator` for a key made by the operator's commands, `staff:<id>` for one made by staff. */
  createdBy: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** What the authorizer learns from the lookup item alone. */
export type KeyLookup =
  | { role: 'storage' }
  | {
      role: 'partner';
      partnerId: string;
      /** Null for a key stored before keys had ids: it has no listing item and acts as `full`. */
      keyId: string | null;
      scope: ApiKeyScope;
      revoked: boolean;
      lastUsedAt: string | null;
    };

/** No scope is an older key's (full); any scope but these two reads as `read`, never as more. */
const scopeOf = (value: unknown): ApiKeyScope =>
  value === undefined || value === 'full' ? 'full' : 'read';
const textOrNull = (value: unknown) => (typeof value === 'string' && value ? value : null);

/** Absent rather than null: the touch condition compares `lastUsedAt` as a string. */
const present = (fields: Record<string, string | null>) =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null));

export function apiKeyToItems(key: ApiKey, keyHash: string): { lookup: Item; listing: Item } {
  const { lastUsedAt, revokedAt, ...fixed } = key;
  const changing = present({ lastUsedAt, revokedAt });
  return {
    lookup: {
      ...keys.apiKey(keyHash),
      entity: ENTITY.apiKey,
      role: 'partner',
      partnerId: key.partnerId,
      keyId: key.id,
      scope: key.scope,
      createdAt: key.createdAt,
      ...changing,
    },
    listing: {
      ...keys.partnerApiKey(key.partnerId, key.id),
      ...keys.apiKeyById(key.id),
      entity: ENTITY.partnerApiKey,
      ...fixed,
      keyHash,
      ...changing,
    },
  };
}

export function apiKeyFromItem(item: Item): ApiKey {
  return {
    id: String(item.id ?? ''),
    partnerId: String(item.partnerId ?? ''),
    name: String(item.name ?? ''),
    scope: scopeOf(item.scope),
    prefix: String(item.prefix ?? ''),
    createdAt: String(item.createdAt ?? ''),
    createdBy: String(item.createdBy ?? ''),
    lastUsedAt: textOrNull(item.lastUsedAt),
    revokedAt: textOrNull(item.revokedAt),
  };
}

/** Null for an item of no known role. A lookup item without an id or scope is a `full` key. */
export function keyLookupFromItem(item: Item): KeyLookup | null {
  if (item.role === 'storage') return { role: 'storage' };
  if (item.role !== 'partner' || typeof item.partnerId !== 'string' || !item.partnerId) {
    return null;
  }
  return {
    role: 'partner',
    partnerId: item.partnerId,
    keyId: textOrNull(item.keyId),
    scope: scopeOf(item.scope),
    revoked: Boolean(item.revokedAt),
    lastUsedAt: textOrNull(item.lastUsedAt),
  };
}

/** The writes of a new key: neither item may exist yet. */
export function newApiKeySteps(key: ApiKey, keyHash: string): WriteStep[] {
  const { lookup, listing } = apiKeyToItems(key, keyHash);
  return [
    { item: write.put(lookup, 'attribute_not_exists(PK)') },
    { item: write.put(listing, 'attribute_not_exists(PK)') },
  ];
}

export class PartnerNotFoundError extends Error {
  constructor(partnerId: string) {
    super(`No partner ${partnerId}`);
    this.name = 'PartnerNotFoundError';
  }
}

/**
 * A new key of an existing partner, in one transaction with `steps` (an audit entry, for one
 * made by staff).
 */
export async function createApiKey(
  key: ApiKey,
  keyHash: string,
  steps: WriteStep[] = [],
): Promise<ApiKey> {
  await transact([
    {
      item: write.check(
        keys.partner(key.partnerId),
        '#entity = :partner',
        { ':partner': ENTITY.partner },
        { '#entity': ATTRIBUTE.entity },
      ),
      onConditionFailed: () => new PartnerNotFoundError(key.partnerId),
    },
    ...newApiKeySteps(key, keyHash),
    ...steps,
  ]);
  return key;
}

/**
 * A page of the partner's keys, oldest first to the millisecond (ids are ULIDs), revoked ones
 * included.
 */
export async function listApiKeys(
  partnerId: string,
  limit: number,
  cursor: string | null | undefined,
): Promise<Page<ApiKey>> {
  const { PK, skPrefix } = keys.apiKeysOf(partnerId);
  const page = await queryPage({ pk: PK, skPrefix, limit, cursor });
  return { items: page.items.map(apiKeyFromItem), nextCursor: page.nextCursor };
}

async function findListingItem(partnerId: string, keyId: string): Promise<Item | null> {
  const item = await getItem(keys.partnerApiKey(partnerId, keyId));
  return isEntity(item, ENTITY.partnerApiKey) ? item : null;
}

export async function findApiKey(partnerId: string, keyId: string): Promise<ApiKey | null> {
  const item = await findListingItem(partnerId, keyId);
  return item ? apiKeyFromItem(item) : null;
}

/** The partner a key id belongs to, from the sparse ApiKeyById index; null for no such key. */
export async function findApiKeyPartner(keyId: string): Promise<string | null> {
  const { name, partition } = INDEX.apiKeyById;
  const out = await documentClient.send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: name,
      KeyConditionExpression: '#partition = :id',
      ExpressionAttributeNames: { '#partition': partition },
      ExpressionAttributeValues: { ':id': keys.apiKeyById(keyId)[partition] },
      Limit: 1,
    }),
  );
  const partnerId = out.Items?.[0]?.partnerId;
  return typeof partnerId === 'string' ? partnerId : null;
}

/**
 * Revokes the key on both items in one transaction, with `steps`. Idempotent: a key already
 * revoked keeps its first `revokedAt` and nothing is written. Null for no such key.
 */
export async function revokeApiKey(
  partnerId: string,
  keyId: string,
  now: Date,
  steps: WriteStep[] = [],
): Promise<ApiKey | null> {
  const item = await findListingItem(partnerId, keyId);
  if (!item) return null;
  const key = apiKeyFromItem(item);
  if (key.revokedAt) return key;
  const revokedAt = now.toISOString();
  const revoke = (target: { PK: string; SK: string }) =>
    write.update(
      target,
      'SET revokedAt = :at',
      { ':at': revokedAt },
      { condition: 'attribute_exists(PK) AND attribute_not_exists(revokedAt)' },
    );
  const alreadyRevoked = new Error('already revoked');
  try {
    await transact([
      {
        item: revoke(keys.partnerApiKey(partnerId, keyId)),
        onConditionFailed: () => alreadyRevoked,
      },
      { item: revoke(keys.apiKey(String(item.keyHash))), onConditionFailed: () => alreadyRevoked },
      ...steps,
    ]);
  } catch (error) {
    // A concurrent revoke won: its instant is the one kept.
    if (error !== alreadyRevoked) throw error;
    return findApiKey(partnerId, keyId);
  }
  return { ...key, revokedAt };
}

/** The lookup item alone: for keys that do not name their partner (storage and older keys). */
export async function findKeyLookup(keyHash: string): Promise<KeyLookup | null> {
  const item = await getItem(keys.apiKey(keyHash));
  return isEntity(item, ENTITY.apiKey) ? keyLookupFromItem(item) : null;
}

/**
 * Sets `lastUsedAt` on both items unless another request did within the last minute, in one
 * request. False when the condition stopped it (touched meanwhile, revoked, or gone).
 */
export async function touchApiKey(
  keyHash: string,
  partnerId: string,
  keyId: string,
  now: Date,
): Promise<boolean> {
  const values = { ':now': now.toISOString(), ':minuteAgo': touchedBefore(now) };
  const condition =
    'attribute_exists(PK) AND attribute_not_exists(revokedAt) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :minuteAgo)';
  const touch = (target: { PK: string; SK: string }) =>
    write.update(target, 'SET lastUsedAt = :now', values, { condition });
  return writeItemsOnce([touch(keys.apiKey(keyHash)), touch(keys.partnerApiKey(partnerId, keyId))]);
}
