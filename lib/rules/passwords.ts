/** Passwords, temporary passwords and secret answers (SPEC §2.4). */
import { weakPassword } from '#lib/errors.ts';
import { commonPasswords } from './common-passwords.ts';
import { normalizeUsername } from './usernames.ts';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** Problems with a proposed password; the messages never repeat the password. */
export function passwordProblems(password: string, username: string | null): string[] {
  const problems: string[] = [];
  // Code points, not UTF-16 units: an emoji is one character to the person typing it.
  const length = [...password].length;
  if (length < PASSWORD_MIN) problems.push(`Must be at least ${PASSWORD_MIN} characters long.`);
  if (length > PASSWORD_MAX) problems.push(`Must be at most ${PASSWORD_MAX} characters long.`);
  const lower = password.toLowerCase();
  if (username !== null && lower === normalizeUsername(username)) {
    problems.push('Must not be the username.');
  }
  if (commonPasswords().has(lower))
    problems.push('Is too common: choose a less guessable password.');
  return problems;
}

export function assertPassword(password: string, username: string | null, field: string): void {
  const problems = passwordProblems(password, username);
  if (problems.length > 0) {
    throw weakPassword(field, problems);
  }
}

/** Answers are compared trimmed, case-insensitively and with runs of spaces as one. */
export const normalizeSecretAnswer = (answer: string): string =>
  answer.trim().replace(/\s+/g, ' ').toLowerCase();

export const TEMPORARY_PASSWORD_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * Expired from the very millisecond 7 days have passed. An unreadable issue time counts as
 * expired: failing closed only costs the user a password reset.
 */
export function temporaryPasswordExpired(issuedAtIso: string, nowMs: number): boolean {
  const issuedAtMs = Date.parse(issuedAtIso);
  if (Number.isNaN(issuedAtMs)) return true;
  return nowMs - issuedAtMs >= TEMPORARY_PASSWORD_TTL_MS;
}
