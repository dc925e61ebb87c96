/**
 * A session token to its caller. Besides the signature, one BatchGetItem checks that the
 * session still stands: the partner exists (its name and entitlements come from it), and a
 * login's account is not cancelled and still has the password the session was opened with, so
 * a password change or reset ends every earlier session. A staff session reads its member
 * instead: active, and at the session version the token was issued with (a role change, removal
 * or password change moves it on). An impersonation held by a staff member ends with that
 * member's sessions: it names the member's session version too.
 */

import { findPartnerAndAccount, findPartnerAndStaff } from '#lib/store/partners.ts';
import type { Principal } from './principal.ts';
import { claimsStaffRole, verifySession, verifyStaffSession } from './sessions.ts';

export async function principalForSession(token: string, now = new Date()): Promise<Principal> {
  if (claimsStaffRole(token)) return principalForStaffSession(token, now);
  const claims = await verifySession(token, now);
  if (!claims) return { kind: 'anonymous' };
  const { partner, account, actingStaff } = await findPartnerAndAccount(
    claims.partnerId,
    claims.companyId,
    claims.accountId,
    claims.actingStaffId,
  );
  if (!partner || !account || account.status === 'cancelled') return { kind: 'anonymous' };
  if (claims.actingPartnerId === null && account.passwordIssuedAt !== claims.passwordIssuedAt) {
    return { kind: 'anonymous' };
  }
  if (
    claims.actingStaffId !== null &&
    (actingStaff?.staff.status !== 'active' ||
      actingStaff.sessionVersion !== claims.actingStaffSessionVersion)
  ) {
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

async function principalForStaffSession(token: string, now: Date): Promise<Principal> {
  const claims = await verifyStaffSession(token, now);
  if (!claims) return { kind: 'anonymous' };
  const { partner, staff } = await findPartnerAndStaff(claims.partnerId, claims.staffId);
  if (
    !partner ||
    !staff ||
    staff.staff.status !== 'active' ||
    staff.sessionVersion !== claims.sessionVersion
  ) {
    return { kind: 'anonymous' };
  }
  return {
    kind: 'partner',
    partnerId: claims.partnerId,
    partnerName: partner.name,
    fineIncrements: partner.fineIncrements,
    via: {
      type: 'staff',
      id: claims.staffId,
      role: staff.staff.role,
      mustChangePassword: staff.mustChangePassword,
      mfaEnrolled: staff.staff.mfaEnabled,
      expiresAtSeconds: claims.expiresAtSeconds,
    },
  };
}
