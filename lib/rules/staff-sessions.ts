/**
 * Staff sign-in (SPEC §7) as pure decisions: what a login with a right or wrong password
 * answers, and which password a member may choose. The use cases in
 * lib/provisioning/staff-sessions.ts read, compare and write around them.
 */
import { passwordProblems, temporaryPasswordExpired } from './passwords.ts';

/** What a login does once its password was compared. */
export type StaffLoginStep =
  /** Unknown e-mail, removed member, no password yet, wrong password: all the same answer. */
  | 'invalidCredentials'
  | 'temporaryPasswordExpired'
  /** The password is right, MFA is on and no code came with it. */
  | 'mfaRequired'
  /** The password is right, MFA is on: the code decides. */
  | 'checkCode'
  | 'open';

export interface StaffLoginFacts {
  /** A member that may sign in: known, active, with a password. */
  usable: boolean;
  passwordMatches: boolean;
  mustChangePassword: boolean;
  passwordIssuedAt: string | null;
  mfaEnabled: boolean;
  codeGiven: boolean;
  nowMs: number;
}

export function staffLoginStep(facts: StaffLoginFacts): StaffLoginStep {
  if (!facts.usable || !facts.passwordMatches) return 'invalidCredentials';
  if (
    facts.mustChangePassword &&
    temporaryPasswordExpired(facts.passwordIssuedAt ?? '', facts.nowMs)
  ) {
    return 'temporaryPasswordExpired';
  }
  if (!facts.mfaEnabled) return 'open';
  return facts.codeGiven ? 'checkCode' : 'mfaRequired';
}

/**
 * The rate limit's name for a staff login: its own namespace, so a staff e-mail never shares a
 * window with an account whose username is the same text (usernames may be e-mails).
 */
export const staffAttemptName = (normalisedEmail: string): string => `staff:${normalisedEmail}`;

/**
 * The password rules of SPEC §2.4 for a staff member, whose login is its e-mail: the password
 * may be neither the whole e-mail nor its local part (what a member would call its user name).
 */
export function staffPasswordProblems(password: string, email: string): string[] {
  const localPart = email.slice(0, Math.max(0, email.lastIndexOf('@'))) || email;
  const problems = passwordProblems(password, localPart);
  if (password.toLowerCase() === email.toLowerCase()) problems.push('Must not be the e-mail.');
  return problems;
}
