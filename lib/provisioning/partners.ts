/**
 * The operator's use cases for partners (SPEC §6): a new partner with its first key and,
 * optionally, its first owner, who is e-mailed a temporary password through the outbox.
 */

import { ulid } from 'ulid';
import { mintPartnerKey, OPERATOR_KEY } from '#lib/auth/api-keys.ts';
import { outboxStep } from '#lib/store/outbox.ts';
import { putPartnerWithKey } from '#lib/store/partners.ts';
import { staffInvitationMessage } from './messages.ts';
import { newMember } from './staff.ts';

export interface CreatedPartner {
  partnerId: string;
  apiKey: string;
  keyId: string;
  /** The owner's staff id, when the partner was created with an owner. */
  ownerId: string | null;
}

/** Partner, key, owner and invitation in one transaction: all of them, or none. */
export async function createPartner(
  name: string,
  fineIncrements: boolean,
  now = new Date(),
  owner: { email: string; fullName: string } | null = null,
): Promise<CreatedPartner> {
  const partnerId = ulid(now.getTime());
  const { apiKey, key, keyHash } = mintPartnerKey(partnerId, OPERATOR_KEY, now);
  const staff = owner ? newMember(partnerId, { ...owner, role: 'owner' }, now) : null;
  await putPartnerWithKey(
    { id: partnerId, name, fineIncrements, createdAt: now.toISOString() },
    key,
    keyHash,
    staff ? { staff, steps: [outboxStep(staffInvitationMessage(name, staff))] } : null,
  );
  return { partnerId, apiKey, keyId: key.id, ownerId: staff?.id ?? null };
}
