/**
 * Failed logins and failed secret answers, limited per username: at most 5 failures in a
 * 15-minute window that starts at the window's first attempt. Once the limit is reached every
 * attempt is refused, unchecked and uncounted, until the window ends, so a lock-out lasts at
 * most 15 minutes however long an attacker keeps trying; a success, a recovery or a reset by the
 * partner or company admin lifts it at once. Unknown usernames are counted the same way, so the
 * answers never tell whether a username exists.
 *
 * An attempt holds one of the 5 places while it is being checked (lib/store/limits.ts), so a
 * burst of parallel guesses gets no more checks than a sequence would. When the places are held
 * by attempts still being checked rather than by failures, the caller is asked to retry in a
 * second, not to wait out the window.
 */
import { AppError } from '#lib/errors.ts';

export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60 * 1000;

export type AttemptKind = 'login' | 'recover';

export interface FailureWindow {
  /** Attempts that failed. */
  failures: number;
  /** Places taken: the failures and the attempts still being checked. */
  held: number;
  windowStartsAt: string;
}

const isLive = (window: FailureWindow, nowMs: number): boolean => {
  const startsMs = Date.parse(window.windowStartsAt);
  return !Number.isNaN(startsMs) && nowMs - startsMs < WINDOW_MS && startsMs <= nowMs;
};

/** Whether the window has a place for one more attempt now. */
export function hasPlace(window: FailureWindow | null, nowMs: number): boolean {
  return !window || !isLive(window, nowMs) || window.held < MAX_FAILURES;
}

/**
 * Seconds until the next attempt is allowed; 0 when it is allowed now. Failures fill the window
 * until it ends; attempts still being checked free their places within a second.
 */
export function retryAfterSeconds(window: FailureWindow | null, nowMs: number): number {
  if (hasPlace(window, nowMs) || !window) return 0;
  if (window.failures < MAX_FAILURES) return 1;
  const endsMs = Date.parse(window.windowStartsAt) + WINDOW_MS;
  return Math.max(1, Math.ceil((endsMs - nowMs) / 1000));
}

export function tooManyAttempts(kind: AttemptKind, retryAfter: number): AppError {
  const what = kind === 'login' ? 'logins' : 'recovery attempts';
  return new AppError(429, 'TOO_MANY_ATTEMPTS', {
    detail: `Too many ${retryAfter > 1 ? 'failed ' : ''}${what} for this username; try again in ${retryAfter} second${retryAfter === 1 ? '' : 's'}.`,
    extensions: { retryAfterSeconds: retryAfter },
  });
}
