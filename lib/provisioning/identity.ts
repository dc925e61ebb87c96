/**
 * Ways in (SPEC §1, §2.4, §2.5): login, the temporary-password change, self-service recovery,
 * password reset by a partner or company admin, "login as company admin", and the user's own
 * account (`/v1/me`).
 */
import { randomBytes } from 'node:crypto';
import type * as z from 'zod/mini';
import type { impersonationResponse, sessionResponse } from '#lib/api/responses.ts';
import type { SessionPrincipal, SessionRole } from '#lib/auth/principal.ts';
import { DEFAULT_SCRYPT_N, hashSecret, scryptN, verifySecret } from '#lib/auth/secrets.ts';
import {
  IMPERSONATION_TTL_SECONDS,
  issueSession,
  SESSION_TTL_SECONDS,
} from '#lib/auth/sessions.ts';
import {
  accountCancelled,
  companyCancelled,
  forbidden,
  invalidCredentials,
  invalidCurrentPassword,
  invalidSecretAnswer,
  temporaryPasswordExpired as temporaryPasswordExpiredError,
  tooManyAttempts,
  unauthorized,
  weakPassword,
} from '#lib/errors.ts';
import { count } from '#lib/metrics.ts';
import {
  type Account,
  type AccountView,
  type Company,
  companyAddOns,
  toAccountView,
} from '#lib/model.ts';
import { accountAlert } from '#lib/rules/alert-levels.ts';
import { isNoChange, listedDelta } from '#lib/rules/listed-totals.ts';
import {
  assertPassword,
  normalizeSecretAnswer,
  temporaryPasswordExpired,
} from '#lib/rules/passwords.ts';
import { assertNotBelowUsage } from '#lib/rules/quota.ts';
import { retryAfterSeconds, UNKNOWN_SOURCE } from '#lib/rules/rate-limit.ts';
import { assertCompanyAdminMayWrite } from '#lib/rules/suspension.ts';
import { assertRecoverable } from '#lib/rules/ultrasafe.ts';
import { loadAccountContext, requireAccountContext } from '#lib/store/accounts.ts';
import { alertSteps } from '#lib/store/alerts.ts';
import { changeListedTotals, requireCompany } from '#lib/store/companies.ts';
import {
  loadLoginContext,
  setPasswordStep,
  setUserQuotaStep,
  withdrawPasswordStep,
} from '#lib/store/credentials.ts';
import { eventStep } from '#lib/store/events.ts';
import {
  type Attempt,
  endAttempt,
  liftLimitsSteps,
  recordFailure,
  reserveAttempt,
  type Ticket,
} from '#lib/store/limits.ts';
import { outboxStep } from '#lib/store/outbox.ts';
import { findStaffCredentials } from '#lib/store/staff.ts';
import { transact } from '#lib/store/table.ts';
import { alertEffects } from './alerts.ts';
import { audit } from './audit.ts';
import { aboutAccount, newEvent } from './events.ts';
import { passwordResetMessage } from './messages.ts';
import { retryingLostRaces } from './retry.ts';
import {
  accountScope,
  actsAsCompanyAdmin,
  type CompanyScope,
  sessionScope,
  staffIdOf,
} from './scope.ts';

/** The reply to a login or a password change (an IssuedSession with the role it opens). */
export type SessionReply = z.output<typeof sessionResponse>;
/** The reply to "login as company admin". */
export type ImpersonationReply = z.output<typeof impersonationResponse>;

/**
 * Compared against when the username has no password to compare with, so a login for an
 * unknown username costs the same scrypt time as one for a known username. The hash of a random
 * value nobody kept, with the same parameters as every stored hash.
 */
const DECOY_HASH =
  'scrypt$16384$8$1$GISWHXplOWqkgHVD3OXN6A$7ZRp9e83d7h2B-SeaUf0cOekH4S5L7KBCxE83XwAjPU';
let loweredDecoy: Promise<string> | undefined;
/** Under a lowered test cost (SCRYPT_N) the decoy is made at that cost too, once. */
export function decoyHash(): Promise<string> | string {
  if (scryptN() === DEFAULT_SCRYPT_N) return DECOY_HASH;
  loweredDecoy ??= hashSecret(randomBytes(16).toString('base64url'));
  return loweredDecoy;
}

const roleOf = (account: Account, company: Company): SessionRole =>
  company.adminAccountId === account.id ? 'companyAdmin' : 'backupUser';

async function openSession(account: Account, company: Company, now: Date): Promise<SessionReply> {
  const role = roleOf(account, company);
  const session = await issueSession(
    {
      role,
      partnerId: account.partnerId,
      companyId: account.companyId,
      accountId: account.id,
      mustChangePassword: account.mustChangePassword,
      actingPartnerId: null,
      actingStaffId: null,
      passwordIssuedAt: account.passwordIssuedAt,
    },
    now,
    SESSION_TTL_SECONDS,
  );
  return { ...session, role, mustChangePassword: account.mustChangePassword };
}

/** Takes the attempt's places in its windows; 429 once one that applies is full. */
export async function takePlace(attempt: Attempt, now: Date): Promise<Ticket> {
  const reserved = await reserveAttempt(attempt, now);
  if ('ticket' in reserved) return reserved.ticket;
  const { window, max } = reserved.refusal;
  count('RateLimitRefusals');
  throw tooManyAttempts(attempt.kind, retryAfterSeconds(window, now.getTime(), max));
}

/**
 * Compares, in the places taken: a wrong secret counts as a failure, a right one ends the
 * source's window and trusts the source. An attempt without a stored secret to compare with runs
 * against a decoy, so it takes as long.
 */
export async function compareInPlace(
  ticket: Ticket,
  plain: string,
  hash: string | null,
  now: Date,
): Promise<boolean> {
  const matches = (await verifySecret(plain, hash ?? (await decoyHash()))) && hash !== null;
  await (matches ? endAttempt(ticket, now) : recordFailure(ticket));
  return matches;
}

/**
 * Usernames are compared lower-case. An unknown username, a cancelled account, an account whose
 * welcome e-mail has not yet been sent and a wrong password all get the same answer, and all
 * count against the username's limit.
 */
export async function login(
  body: { username: string; password: string },
  now = new Date(),
  source = UNKNOWN_SOURCE,
): Promise<SessionReply> {
  const attempt: Attempt = { kind: 'login', username: body.username, source };
  // The place is taken before anything is read, so a refused attempt costs the same whether
  // the username exists or not.
  const ticket = await takePlace(attempt, now);
  const { account, company } = await loadLoginContext(body.username);
  const usable = account && company && account.status !== 'cancelled' ? account : null;
  const hash = usable?.passwordHash ?? null;
  if (!(await compareInPlace(ticket, body.password, hash, now)) || !usable) {
    count('FailedLogins');
    throw invalidCredentials();
  }
  if (
    usable.mustChangePassword &&
    temporaryPasswordExpired(usable.passwordIssuedAt ?? '', now.getTime())
  ) {
    throw temporaryPasswordExpiredError();
  }
  return openSession(usable, company as Company, now);
}

/** The account a session belongs to; a session of a cancelled account is no longer valid. */
async function sessionAccount(principal: SessionPrincipal) {
  const { company, account } = await loadAccountContext(principal.partnerId, principal.companyId, {
    accountId: principal.accountId,
  });
  if (!company || !account || account.status === 'cancelled') throw unauthorized();
  return { company, account };
}

/**
 * The user replaces its password (the only thing a temporary-password session may do) and gets
 * a new session without the restriction. A wrong current password counts as a failed login.
 */
export async function changePassword(
  principal: SessionPrincipal,
  body: { currentPassword: string; newPassword: string },
  now = new Date(),
  source = UNKNOWN_SOURCE,
): Promise<SessionReply> {
  if (principal.kind === 'companyAdmin' && principal.actingPartnerId) {
    throw forbidden(
      "A partner acting as company admin cannot set the admin's password; use password-reset.",
    );
  }
  const { company, account } = await sessionAccount(principal);
  assertPassword(body.newPassword, account.username, 'newPassword');
  if (body.newPassword === body.currentPassword) {
    throw weakPassword('newPassword', ['Must differ from the current password.']);
  }
  const attempt: Attempt = { kind: 'login', username: account.username, source };
  const ticket = await takePlace(attempt, now);
  if (!(await compareInPlace(ticket, body.currentPassword, account.passwordHash, now))) {
    count('FailedLogins');
    throw invalidCurrentPassword();
  }
  const at = now.toISOString();
  await transact([
    setPasswordStep(account, await hashSecret(body.newPassword), at),
    ...(await liftLimitsSteps(account.username, now)),
    audit(sessionScope(principal), now, {
      action: 'account.password-change',
      targetType: 'account',
      targetId: account.id,
      companyId: account.companyId,
    }),
  ]);
  const updated = { ...account, passwordIssuedAt: at, mustChangePassword: false, updatedAt: at };
  return openSession(updated, company, now);
}

/**
 * A forgotten password, replaced with the secret answer. An unknown username, an account
 * without a secret question and a wrong answer get the same answer and count against the
 * limit; an UltraSafe account is refused as SPEC §2.5 requires.
 */
export async function recover(
  body: { username: string; secretAnswer: string; newPassword: string },
  now = new Date(),
  source = UNKNOWN_SOURCE,
): Promise<void> {
  assertPassword(body.newPassword, body.username, 'newPassword');
  const attempt: Attempt = { kind: 'recover', username: body.username, source };
  const ticket = await takePlace(attempt, now);
  const { account } = await loadLoginContext(body.username);
  const usable = account && account.status !== 'cancelled' ? account : null;
  if (usable?.ultraSafe) {
    // Counted like a wrong answer, so asking whether usernames are UltraSafe is limited too.
    await recordFailure(ticket);
    count('FailedRecoveries');
    assertRecoverable(usable);
  }
  const answer = normalizeSecretAnswer(body.secretAnswer);
  const hash = usable?.secretAnswerHash ?? null;
  if (!(await compareInPlace(ticket, answer, hash, now)) || !usable) {
    count('FailedRecoveries');
    throw invalidSecretAnswer();
  }
  await transact([
    setPasswordStep(usable, await hashSecret(body.newPassword), now.toISOString()),
    ...(await liftLimitsSteps(usable.username, now)),
    audit(accountScope(usable), now, {
      action: 'account.password-recover',
      targetType: 'account',
      targetId: usable.id,
      companyId: usable.companyId,
    }),
  ]);
}

/**
 * A new temporary password, generated and e-mailed by the mailer. The old password stops
 * working at once, with every session opened with it, and the username's limits are lifted.
 */
export async function resetPassword(
  scope: CompanyScope,
  accountId: string,
  now = new Date(),
): Promise<AccountView> {
  const { companyId } = scope;
  const { company, account } = await requireAccountContext(scope.partnerId, companyId, accountId);
  assertCompanyAdminMayWrite(actsAsCompanyAdmin(scope), company, account);
  if (account.status === 'cancelled') {
    throw accountCancelled();
  }
  assertRecoverable(account);
  const at = now.toISOString();
  const updated: Account = {
    ...account,
    passwordHash: null,
    passwordIssuedAt: null,
    mustChangePassword: true,
    updatedAt: at,
  };
  const reply = toAccountView(updated, companyAddOns(company));
  await transact(
    [
      withdrawPasswordStep(account, at),
      outboxStep(passwordResetMessage(scope, account, at)),
      eventStep(
        newEvent(scope, now, 'password.reset_sent', aboutAccount(account), { account: reply }),
      ),
      ...(await liftLimitsSteps(account.username, now)),
      audit(scope, now, {
        action: 'account.password-reset',
        targetType: 'account',
        targetId: account.id,
        companyId,
        details: { username: account.username },
      }),
    ],
    { reply },
  );
  return reply;
}

/**
 * "Login as company admin": a company-admin session of one hour that names the partner. The
 * partner's own key is untouched, so going back to it is the "resume".
 */
export async function impersonate(
  scope: CompanyScope,
  now = new Date(),
): Promise<ImpersonationReply> {
  const { companyId } = scope;
  const company = await requireCompany(scope.partnerId, companyId);
  if (company.status !== 'active') {
    throw companyCancelled();
  }
  // A member's impersonation names the member's session version, so it ends with its sessions.
  const actingStaffId = staffIdOf(scope);
  const actingStaff = actingStaffId
    ? await findStaffCredentials(scope.partnerId, actingStaffId)
    : null;
  if (actingStaffId && actingStaff?.staff.status !== 'active') throw unauthorized();
  await transact([
    audit(scope, now, {
      action: 'company.impersonate',
      targetType: 'company',
      targetId: companyId,
      companyId,
      details: { asAccountId: company.adminAccountId },
    }),
  ]);
  const session = await issueSession(
    {
      role: 'companyAdmin',
      partnerId: scope.partnerId,
      companyId,
      accountId: company.adminAccountId,
      mustChangePassword: false,
      actingPartnerId: scope.partnerId,
      actingStaffId,
      ...(actingStaff ? { actingStaffSessionVersion: actingStaff.sessionVersion } : {}),
      passwordIssuedAt: null,
    },
    now,
    IMPERSONATION_TTL_SECONDS,
  );
  return { ...session, companyId };
}

export async function getMe(principal: SessionPrincipal): Promise<AccountView> {
  const { company, account } = await sessionAccount(principal);
  return toAccountView(account, companyAddOns(company));
}

/** The user's own quota: null is unlimited; the effective quota is min(hard, user). */
export const updateMe = (
  principal: SessionPrincipal,
  body: { userQuotaMb: number | null },
  now = new Date(),
): Promise<AccountView> => retryingLostRaces(() => updateMeOnce(principal, body, now));

async function updateMeOnce(
  principal: SessionPrincipal,
  body: { userQuotaMb: number | null },
  now: Date,
): Promise<AccountView> {
  const { company, account } = await sessionAccount(principal);
  // The company admin's own quota is one of its company's settings: held while it is suspended.
  assertCompanyAdminMayWrite(principal.kind === 'companyAdmin', company);
  assertNotBelowUsage(body.userQuotaMb, account.usedMb);
  // Strictly later than the version read, which the next change is conditioned on.
  const at = new Date(Math.max(now.getTime(), Date.parse(account.updatedAt) + 1)).toISOString();
  const after: Account = { ...account, userQuotaMb: body.userQuotaMb, updatedAt: at };
  const alert = accountAlert(after);
  after.alertLevel = alert.level;
  const listed = listedDelta([account], [after]);
  const scope = sessionScope(principal);
  const alerts = alert.change
    ? alertEffects(scope, now, [{ subject: 'account', account: after, change: alert.change }])
    : undefined;
  await transact([
    setUserQuotaStep(account, body.userQuotaMb, at, alert.level),
    ...alertSteps(alerts),
    ...(isNoChange(listed) ? [] : [changeListedTotals(company, listed)]),
    audit(scope, now, {
      action: 'account.user-quota',
      targetType: 'account',
      targetId: account.id,
      companyId: account.companyId,
      details: { userQuotaMb: body.userQuotaMb },
    }),
  ]);
  return toAccountView(after, companyAddOns(company));
}
