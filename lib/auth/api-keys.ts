/**
 * API keys: random, shown once, stored only as a SHA-256 hash under which the key's owner is
 * found. A fast hash suits keys with 256 bits of entropy; passwords use scrypt instead.
 */
import { ulid } from 'ulid';
import { findApiKey, putPartnerWithKey, putStorageKey } from '#lib/store/partners.ts';
import type { Principal } from './principal.ts';
import { generateApiKey, hashApiKey } from './secrets.ts';

export async function principalForApiKey(apiKey: string): Promise<Principal> {
  if (!/^(pk|sk)_[A-Za-z0-9_-]{43}$/.test(apiKey)) return { kind: 'anonymous' };
  const key = await findApiKey(hashApiKey(apiKey));
  if (key?.role === 'storage') return { kind: 'storage' };
  if (key?.role === 'partner') {
    return {
      kind: 'partner',
      partnerId: key.partnerId,
      partnerName: key.partnerName,
      fineIncrements: key.fineIncrements,
    };
  }
  return { kind: 'anonymous' };
}

export interface CreatedPartner {
  partnerId: string;
  apiKey: string;
}

export async function createPartner(
  name: string,
  fineIncrements: boolean,
  now = new Date(),
): Promise<CreatedPartner> {
  const partnerId = ulid();
  const apiKey = generateApiKey('pk');
  await putPartnerWithKey(
    { id: partnerId, name, fineIncrements, createdAt: now.toISOString() },
    hashApiKey(apiKey),
  );
  return { partnerId, apiKey };
}

export async function createStorageKey(now = new Date()): Promise<{ apiKey: string }> {
  const apiKey = generateApiKey('sk');
  await putStorageKey(hashApiKey(apiKey), now.toISOString());
  return { apiKey };
}
