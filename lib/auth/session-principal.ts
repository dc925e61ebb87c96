/**
 * A session token to its caller. Besides the signature, one BatchGetItem checks that the
 * session still stands: the partner exists (its name and entitlements come from it), and a
 * login's account is not cancelled and still has the password the session was opened with, so
 * a password change or reset ends every earlier session.
 */

import { ENTITY, keys } from '#lib/store/keys.ts';
import { getItems, keyId } from '#lib/store/table.ts';
import type { Principal } from './principal.ts';
import { verifySession } from './sessions.ts';

export async function principalForSession(token: string, now = new Date()): Promise<Principal> {
  const claims = await verifySession(token, now);
  if (!claims) return { kind: 'anonymous' };
  const partnerKey = keys.partner(claims.partnerId);
  const accountKey = keys.account(claims.partnerId, claims.companyId, claims.accountId);
  const found = await getItems([partnerKey, accountKey]);
  const partner = found.get(keyId(partnerKey));
  const account = found.get(keyId(accountKey));
  if (partner?.entity !== ENTITY.partner || account?.entity !== ENTITY.account) {
    return { kind: 'anonymous' };
  }
  if (account.status === 'cancelled') return { kind: 'anonymous' };
  if (claims.actingPartnerId === null && account.passwordIssuedAt !== claims.passwordIssuedAt) {
    return { kind: 'anonymous' };
  }
  const session = {
    partnerId: claims.partnerId,
    partnerName: typeof partner.name === 'string' ? partner.name : '',
    fineIncrements: partner.fineIncrements === true,
    companyId: claims.companyId,
    accountId: claims.accountId,
    mustChangePassword: claims.mustChangePassword,
    expiresAtSeconds: claims.expiresAtSeconds,
  };
  return claims.role === 'companyAdmin'
    ? { kind: 'companyAdmin', ...session, actingPartnerId: claims.actingPartnerId }
    : { kind: 'backupUser', ...session };
}
