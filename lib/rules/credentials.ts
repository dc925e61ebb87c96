import {
  secretQuestionIncomplete,
  ultrasafeImmutable,
  ultrasafeNoSecretQuestion,
  unrecoverableAccount,
  weakPassword,
} from '#lib/errors.ts';
import { commonPasswords } from './common-passwords.ts';

/** SPEC §2.4: 3–64 characters of a-z 0-9 . _ @ + -, starting with a letter or digit. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._@+-]{2,63}$/;
/**
 * The same rule on the username as typed, before it is trimmed and lower-cased: what a request
 * may send (and what its JSON Schema says).
 */
export const USERNAME_INPUT_PATTERN = /^\s*[A-Za-z0-9][A-Za-z0-9._@+-]{2,63}\s*$/;
export const USERNAME_CHARACTERS_MESSAGE = 'May contain only letters, digits and . _ @ + -';

export const normalizeUsername = (raw: string): string => raw.trim().toLowerCase();

export function usernameProblem(raw: string): string | null {
  const username = normalizeUsername(raw);
  if (username.length < 3 || username.length > 64) return 'Must be 3 to 64 characters long.';
  if (!/^[a-z0-9]/.test(username)) return 'Must start with a letter or a digit.';
  if (!USERNAME_PATTERN.test(username)) {
    return USERNAME_CHARACTERS_MESSAGE;
  }
  return null;
}

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

export interface UltraSafeInput {
  ultraSafe: boolean;
  secretQuestion?: string | null;
  secretAnswer?: string | null;
}

const given = (value: string | null | undefined) => value !== undefined && value !== null;

export function assertUltraSafeCreation(input: UltraSafeInput): void {
  const hasQuestion = given(input.secretQuestion);
  const hasAnswer = given(input.secretAnswer);
  if (input.ultraSafe && (hasQuestion || hasAnswer)) {
    throw ultrasafeNoSecretQuestion();
  }
  if (hasQuestion !== hasAnswer) {
    const missing = hasQuestion ? 'secretAnswer' : 'secretQuestion';
    throw secretQuestionIncomplete(missing);
  }
}

export function assertRecoverable(account: { ultraSafe: boolean }): void {
  if (account.ultraSafe) {
    throw unrecoverableAccount();
  }
}

export function assertUltraSafeUnchanged(current: boolean, requested: boolean | undefined): void {
  if (requested !== undefined && requested !== current) {
    throw ultrasafeImmutable();
  }
}

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
