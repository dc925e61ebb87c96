/**
 * Staff sign-in (SPEC §7): the staff login, a staff member's password change, and TOTP
 * enrolment. Failed passwords and codes count in the account login's rate limit, under a name of
 * their own (`staff:<e-mail>`); answers never tell whether an e-mail belongs to a staff member.
 * The decisions are lib/rules/staff-sessions.ts's; the second factor's storage is lib/auth's.
 */
import type * as z from 'zod/mini';
import type {
  mfaSetupResponse,
  recoveryCodesResponse,
  staffSessionResponse,
} from '#lib/api/responses.ts';
import type { PartnerPrincipal, SessionPrincipal } from '#lib/auth/principal.ts';
import { hashSecret, verifySecret } from '#lib/auth/secrets.ts';
import { issueStaffSession } from '#lib/auth/sessions.ts';
import {
  decryptTotpSecret,
  encryptTotpSecret,
  hashRecoveryCode,
  looksLikeRecoveryCode,
  newRecoveryCodes,
} from '#lib/auth/staff-secrets.ts';
import { acceptedStep, newTotpSecret, otpauthUrl } from '#lib/auth/totp.ts';
import {
  forbidden,
  invalidCredentials,
  invalidCurrentPassword,
  invalidEnrolmentCode,
  invalidMfaCode,
  mfaAlreadyEnabled,
  mfaRequired,
  temporaryPasswordExpired,
  unauthorized,
  weakPassword,
} from '#lib/errors.ts';
import { count } from '#lib/metrics.ts';
import { UNKNOWN_SOURCE } from '#lib/rules/rate-limit.ts';
import { normaliseEmail } from '#lib/rules/staff.ts';
import {
  staffAttemptName,
  staffLoginStep,
  staffPasswordProblems,
} from '#lib/rules/staff-sessions.ts';
import {
  type Attempt,
  endAttempt,
  liftLimitsSteps,
  recordFailure,
  releaseAttempt,
} from '#lib/store/limits.ts';
import {
  acceptTotpStep,
  confirmTotpSecretStep,
  findStaffCredentials,
  loadStaffLogin,
  pendingTotpSecretStep,
  type StaffCredentials,
  setStaffPasswordStep,
  useRecoveryCode,
} from '#lib/store/staff.ts';
import { transact } from '#lib/store/table.ts';
import { audit } from './audit.ts';
import {
  changePassword as changeAccountPassword,
  compareInPlace,
  decoyHash,
  type SessionReply,
  takePlace,
} from './identity.ts';
import { partnerScope } from './scope.ts';

export type StaffSessionReply = z.output<typeof staffSessionResponse>;
export type MfaSetupReply = z.output<typeof mfaSetupResponse>;
export type RecoveryCodesReply = z.output<typeof recoveryCodesResponse>;

/** The issuer an authenticator app shows beside the code. */
const TOTP_ISSUER = 'Backup Provisioning';

const attemptOf = (email: string, source: string): Attempt => ({
  kind: 'login',
  username: staffAttemptName(email),
  source,
});

async function openStaffSession(
  credentials: StaffCredentials,
  sessionVersion: number,
  now: Date,
  change: { mustChangePassword?: boolean; mfaEnrolled?: boolean } = {},
): Promise<StaffSessionReply> {
  const { staff } = credentials;
  const session = await issueStaffSession(
    { partnerId: staff.partnerId, staffId: staff.id, sessionVersion },
    now,
  );
  return {
    ...session,
    role: staff.role,
    mustChangePassword: change.mustChangePassword ?? credentials.mustChangePassword,
    mfaEnrolled: change.mfaEnrolled ?? staff.mfaEnabled,
  };
}

/**
 * A current TOTP code (of a step later than any accepted) or an unused recovery code, each
 * taken by a conditional write: of two logins with one code, only one gets through.
 */
async function acceptSecondFactor(
  credentials: StaffCredentials,
  code: string,
  now: Date,
): Promise<boolean> {
  const { staff } = credentials;
  if (looksLikeRecoveryCode(code)) {
    return useRecoveryCode(credentials, await hashRecoveryCode(staff.id, code));
  }
  const secret = credentials.totpSecret
    ? await decryptTotpSecret(staff.id, credentials.totpSecret)
    : null;
  if (secret === null) return false;
  const step = acceptedStep(secret, code, now.getTime(), credentials.lastTotpStep);
  return step !== null && (await acceptTotpStep(credentials, step));
}

/**
 * An unknown e-mail, a removed member, a member without a password yet and a wrong password get
 * the same answer after the same scrypt work, and count against the e-mail's limit. A wrong or
 * used code counts too; a right password without the code that MFA needs counts neither way.
 */
export async function staffLogin(
  body: { email: string; password: string; totp?: string | undefined },
  now = new Date(),
  source = UNKNOWN_SOURCE,
): Promise<StaffSessionReply> {
  const email = normaliseEmail(body.email);
  // The place is taken before anything is read, so a refusal costs the same for any e-mail.
  const ticket = await takePlace(attemptOf(email, source), now);
  const found = await loadStaffLogin(email);
  const usable =
    found && found.staff.status === 'active' && found.passwordHash !== null ? found : null;
  const hash = usable?.passwordHash ?? null;
  const passwordMatches =
    (await verifySecret(body.password, hash ?? (await decoyHash()))) && hash !== null;
  const step = staffLoginStep({
    usable: usable !== null,
    passwordMatches,
    mustChangePassword: usable?.mustChangePassword ?? false,
    passwordIssuedAt: usable?.passwordIssuedAt ?? null,
    mfaEnabled: usable?.staff.mfaEnabled ?? false,
    codeGiven: body.totp !== undefined,
    nowMs: now.getTime(),
  });
  if (step === 'invalidCredentials' || !usable) {
    await recordFailure(ticket);
    count('FailedLogins');
    throw invalidCredentials();
  }
  if (step === 'mfaRequired') {
    await releaseAttempt(ticket);
    throw mfaRequired();
  }
  if (step === 'checkCode' && !(await acceptSecondFactor(usable, body.totp ?? '', now))) {
    await recordFailure(ticket);
    count('FailedLogins');
    throw invalidMfaCode();
  }
  // As an account login: a right password ends the source's window, also when it has expired.
  await endAttempt(ticket, now);
  if (step === 'temporaryPasswordExpired') throw temporaryPasswordExpired();
  return openStaffSession(usable, usable.sessionVersion, now);
}

/** The member a staff session names, as stored; a removed member's session is no longer valid. */
async function sessionMember(principal: PartnerPrincipal): Promise<StaffCredentials> {
  if (principal.via.type !== 'staff') throw forbidden('Only a staff session has a password.');
  const credentials = await findStaffCredentials(principal.partnerId, principal.via.id);
  if (credentials?.staff.status !== 'active') throw unauthorized();
  return credentials;
}

/**
 * A staff member replaces its password (the only thing a temporary-password session may do
 * besides nothing) and gets a new session; every other session of the member ends (the session
 * version moves on). The password may be neither the e-mail nor its local part. A wrong current
 * password counts as a failed login.
 */
export async function changeStaffPassword(
  principal: PartnerPrincipal,
  body: { currentPassword: string; newPassword: string },
  now = new Date(),
  source = UNKNOWN_SOURCE,
): Promise<StaffSessionReply> {
  const member = await sessionMember(principal);
  const { staff } = member;
  const problems = staffPasswordProblems(body.newPassword, staff.email);
  if (problems.length > 0) throw weakPassword('newPassword', problems);
  if (body.newPassword === body.currentPassword) {
    throw weakPassword('newPassword', ['Must differ from the current password.']);
  }
  const ticket = await takePlace(attemptOf(staff.email, source), now);
  if (!(await compareInPlace(ticket, body.currentPassword, member.passwordHash, now))) {
    count('FailedLogins');
    throw invalidCurrentPassword();
  }
  const at = now.toISOString();
  await transact([
    setStaffPasswordStep(staff, await hashSecret(body.newPassword), at, false, { asRead: member }),
    ...(await liftLimitsSteps(staffAttemptName(staff.email), now)),
    audit(partnerScope(principal), now, {
      action: 'staff.password-change',
      targetType: 'staff',
      targetId: staff.id,
      companyId: null,
    }),
  ]);
  return openStaffSession(member, member.sessionVersion + 1, now, { mustChangePassword: false });
}

/** POST /v1/auth/password for any session: an account's or a staff member's. */
export function changeOwnPassword(
  principal: SessionPrincipal | PartnerPrincipal,
  body: { currentPassword: string; newPassword: string },
  now = new Date(),
  source = UNKNOWN_SOURCE,
): Promise<SessionReply | StaffSessionReply> {
  return principal.kind === 'partner'
    ? changeStaffPassword(principal, body, now, source)
    : changeAccountPassword(principal, body, now, source);
}

/**
 * A new TOTP secret for the member to enrol, stored encrypted as pending until a code confirms
 * it; a second setup before confirming replaces the first. Refused once MFA is on.
 */
export async function setupMfa(
  principal: PartnerPrincipal,
  now = new Date(),
): Promise<MfaSetupReply> {
  const member = await sessionMember(principal);
  const { staff } = member;
  if (staff.mfaEnabled) throw mfaAlreadyEnabled();
  const secret = newTotpSecret();
  await transact([
    pendingTotpSecretStep(member, await encryptTotpSecret(staff.id, secret), now.toISOString()),
    audit(partnerScope(principal), now, {
      action: 'staff.mfa-setup',
      targetType: 'staff',
      targetId: staff.id,
      companyId: null,
    }),
  ]);
  return {
    otpauthUrl: otpauthUrl(secret, staff.email, principal.partnerName || TOTP_ISSUER),
    secret,
  };
}

/**
 * Confirms the pending secret with a current code of it: MFA is on from then, on this very
 * session too (the authorizer reads it from the member), and ten recovery codes are answered,
 * once; only their hashes are kept. A wrong code counts as a failed login.
 */
export async function confirmMfa(
  principal: PartnerPrincipal,
  body: { code: string },
  now = new Date(),
  source = UNKNOWN_SOURCE,
): Promise<RecoveryCodesReply> {
  const member = await sessionMember(principal);
  const { staff } = member;
  if (staff.mfaEnabled) throw mfaAlreadyEnabled();
  const ticket = await takePlace(attemptOf(staff.email, source), now);
  const secret = member.pendingTotpSecret
    ? await decryptTotpSecret(staff.id, member.pendingTotpSecret)
    : null;
  const step =
    secret === null ? null : acceptedStep(secret, body.code, now.getTime(), member.lastTotpStep);
  if (step === null) {
    await recordFailure(ticket);
    count('FailedLogins');
    throw invalidEnrolmentCode();
  }
  await endAttempt(ticket, now);
  const recoveryCodes = newRecoveryCodes();
  const hashes = await Promise.all(recoveryCodes.map((code) => hashRecoveryCode(staff.id, code)));
  await transact([
    confirmTotpSecretStep(member, { step, recoveryCodeHashes: hashes, at: now.toISOString() }),
    audit(partnerScope(principal), now, {
      action: 'staff.mfa-enable',
      targetType: 'staff',
      targetId: staff.id,
      companyId: null,
    }),
  ]);
  return { recoveryCodes };
}
