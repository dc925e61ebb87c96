/**
 * API keys: random, shown once, stored only as a SHA-256 hash under which the key's owner is
 * found. A fast hash suits keys with 256 bits of entropy; passwords use scrypt instead.
 *
 * A partner key ends with its partner's id (`pk_<secret>_<partnerId>`), so the authorizer reads
 * the key and its partner in one BatchGetItem; the partner's name and entitlements come from the
 * partner item, so a change to them holds at once. Keys made before that (`pk_<secret>`) still
 * work, as `full` keys, at the cost of a second read.
 */
import { ulid } from 'ulid';
import { logger } from '#lib/logger.ts';
import { touchDue } from '#lib/rules/api-keys.ts';
import {
  type ApiKey,
  type ApiKeyScope,
  findKeyLookup,
  createApiKey as storeApiKey,
  touchApiKey,
} from '#lib/store/api-keys.ts';
import { findKeyAndPartner, findPartner, putStorageKey } from '#lib/store/partners.ts';
import type { WriteStep } from '#lib/store/table.ts';
import type { Principal } from './principal.ts';
import { generateApiKey, hashApiKey } from './secrets.ts';

const PARTNER_KEY = /^pk_[A-Za-z0-9_-]{43}_([0-9A-HJKMNP-TV-Z]{26})$/;
const UNNAMED_KEY = /^(pk|sk)_[A-Za-z0-9_-]{43}$/;

/** `pk_` and 8 characters of the secret: 48 of its 256 bits, enough to tell keys apart. */
export const PREFIX_LENGTH = 11;

export const generatePartnerKey = (partnerId: string): string =>
  `${generateApiKey('pk')}_${partnerId}`;

export const keyPrefix = (apiKey: string): string => apiKey.slice(0, PREFIX_LENGTH);

export async function principalForApiKey(apiKey: string, now = new Date()): Promise<Principal> {
  const partnerId = PARTNER_KEY.exec(apiKey)?.[1];
  if (partnerId) return principalForPartnerKey(apiKey, partnerId, now);
  if (!UNNAMED_KEY.test(apiKey)) return { kind: 'anonymous' };
  const lookup = await findKeyLookup(hashApiKey(apiKey));
  if (lookup?.role === 'storage') return { kind: 'storage' };
  if (lookup?.role !== 'partner' || lookup.revoked) return { kind: 'anonymous' };
  const partner = await findPartner(lookup.partnerId);
  if (!partner) return { kind: 'anonymous' };
  return {
    kind: 'partner',
    partnerId: partner.id,
    partnerName: partner.name,
    fineIncrements: partner.fineIncrements,
    // An older key has no id: it cannot be listed or revoked by id, and opens what it always did.
    via: { type: 'key', id: '', scope: 'full' },
  };
}

async function principalForPartnerKey(
  apiKey: string,
  partnerId: string,
  now: Date,
): Promise<Principal> {
  const keyHash = hashApiKey(apiKey);
  const { lookup, partner } = await findKeyAndPartner(keyHash, partnerId);
  if (lookup?.role !== 'partner' || lookup.revoked || !lookup.keyId) return { kind: 'anonymous' };
  if (lookup.partnerId !== partnerId || !partner) return { kind: 'anonymous' };
  if (touchDue(lookup.lastUsedAt, now)) {
    // Last use is for the partner's listing: a failed write must not fail the request.
    await touchApiKey(keyHash, partnerId, lookup.keyId, now).catch((error: Error) =>
      logger().warn('Could not record the key as used', {
        keyId: lookup.keyId,
        error: error.message,
      }),
    );
  }
  return {
    kind: 'partner',
    partnerId,
    partnerName: partner.name,
    fineIncrements: partner.fineIncrements,
    via: { type: 'key', id: lookup.keyId, scope: lookup.scope },
  };
}

export interface NewApiKey {
  name: string;
  scope: ApiKeyScope;
  /** `operator`, or `staff:<id>`. */
  createdBy: string;
}

/** A new key of a partner: the key itself, to show once, its record and the hash it is stored by. */
export function mintPartnerKey(partnerId: string, fields: NewApiKey, now: Date) {
  const apiKey = generatePartnerKey(partnerId);
  const key: ApiKey = {
    id: ulid(now.getTime()),
    partnerId,
    ...fields,
    prefix: keyPrefix(apiKey),
    createdAt: now.toISOString(),
    lastUsedAt: null,
    revokedAt: null,
  };
  return { apiKey, key, keyHash: hashApiKey(apiKey) };
}

/**
 * A new key of an existing partner: the key itself (to show once) and its record. `steps` are
 * written in the same transaction (an audit entry, which names the new key's id).
 */
export async function createApiKey(
  partnerId: string,
  fields: NewApiKey,
  now = new Date(),
  steps: WriteStep[] | ((key: ApiKey) => WriteStep[]) = [],
): Promise<{ apiKey: string; key: ApiKey }> {
  const { apiKey, key, keyHash } = mintPartnerKey(partnerId, fields, now);
  await storeApiKey(key, keyHash, typeof steps === 'function' ? steps(key) : steps);
  return { apiKey, key };
}

/** The operator's key of a new partner. */
export const OPERATOR_KEY: NewApiKey = {
  name: 'Created by the operator',
  scope: 'full',
  createdBy: 'operator',
};

export async function createStorageKey(now = new Date()): Promise<{ apiKey: string }> {
  const apiKey = generateApiKey('sk');
  await putStorageKey(hashApiKey(apiKey), now.toISOString());
  return { apiKey };
}
