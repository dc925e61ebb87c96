/**
 * Failed logins and failed secret answers, limited per username: at most 5 failures in a
 * 15-minute window that starts at the window's first failure (each attempt is counted before it
 * is checked, and a right one gives its count back; see lib/store/limits.ts). Once the limit is reached every
 * attempt is refused, unchecked and uncounted, until the window ends, so a lock-out lasts at
 * most 15 minutes however long an attacker keeps trying; a successful recovery or a reset by
 * the partner or company admin lifts it at once. Unknown usernames are counted the same way, so
 * the answers never tell whether a username exists.
 */
import { AppError } from '#lib/errors.ts';

export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60 * 1000;

export type AttemptKind = 'login' | 'recover';

export interface FailureWindow {
  failures: number;
  windowStartsAt: string;
}

/** The failures that count now: none once the window has ended (or cannot be read). */
export function liveFailures(window: FailureWindow | null, nowMs: number): number {
  if (!window) return 0;
  const startsMs = Date.parse(window.windowStartsAt);
  if (Number.isNaN(startsMs) || nowMs - startsMs >= WINDOW_MS || startsMs > nowMs) return 0;
  return window.failures;
}

/** Seconds until the next attempt is allowed; 0 when it is allowed now. */
export function retryAfterSeconds(window: FailureWindow | null, nowMs: number): number {
  if (liveFailures(window, nowMs) < MAX_FAILURES || !window) return 0;
  const endsMs = Date.parse(window.windowStartsAt) + WINDOW_MS;
  return Math.max(1, Math.ceil((endsMs - nowMs) / 1000));
}

export function tooManyAttempts(kind: AttemptKind, retryAfter: number): AppError {
  return new AppError(429, 'TOO_MANY_ATTEMPTS', {
    detail: `Too many failed ${kind === 'login' ? 'logins' : 'recovery attempts'} for this username; try again in ${retryAfter} seconds.`,
    extensions: { retryAfterSeconds: retryAfter },
  });
}
