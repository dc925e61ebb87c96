/**
 * A session token to its caller. Besides the signature, one BatchGetItem checks that the
 * session still stands: the partner exists (its name and entitlements come from it), and a
 * login's account is not cancelled and still has the password the session was opened with, so
 * a password change or reset ends every earlier session.
 */

import { findPartnerAndAccount } from '#lib/store/partners.ts';
import type { Principal } from './principal.ts';
import { verifySession } from './sessions.ts';

export async function principalForSession(token: string, now = new Date()): Promise<Principal> {
  const claims = await verifySession(token, now);
  if (!claims) return { kind: 'anonymous' };
  const { partner, account } = await findPartnerAndAccount(
    claims.partnerId,
    claims.companyId,
    claims.accountId,
  );
  if (!partner || !account || account.status === 'cancelled') return { kind: 'anonymous' };
  if (claims.actingPartnerId === null && account.passwordIssuedAt !== claims.passwordIssuedAt) {
    return { kind: 'anonymous' };
  }
  const session = {
    partnerId: claims.partnerId,
    partnerName: partner.name,
    fineIncrements: partner.fineIncrements,
    companyId: claims.companyId,
    accountId: claims.accountId,
    mustChangePassword: claims.mustChangePassword,
    expiresAtSeconds: claims.expiresAtSeconds,
  };
  return claims.role === 'companyAdmin'
    ? {
        kind: 'companyAdmin',
        ...session,
        actingPartnerId: claims.actingPartnerId,
        actingStaffId: claims.actingStaffId,
      }
    : { kind: 'backupUser', ...session };
}
