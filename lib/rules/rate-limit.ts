/**
 * Failed logins and failed secret answers, limited per username and source address, as pure
 * decisions: the window's state machine, trust and the limits. docs/rate-limits.md tells why
 * each rule is what it is; lib/store/limits.ts persists the decisions.
 */

export type AttemptKind = 'login' | 'recover';

/** Failures of one username from one source address in a window. */
export const MAX_FAILURES = 5;
/**
 * Failures of one username from all sources together: what a guesser with many addresses gets.
 * Recovery keeps 5: a secret answer is easier to guess than a password, and a blocked recovery
 * locks nobody out of a password they know.
 */
export const MAX_FAILURES_PER_USERNAME: Record<AttemptKind, number> = { login: 50, recover: 5 };
export const WINDOW_MS = 15 * 60 * 1000;

/** How long a source that gave the right secret stays trusted for that username. */
export const TRUST_MS = 30 * 24 * 60 * 60 * 1000;

/** The source of an attempt whose address is not known (in-process use). */
export const UNKNOWN_SOURCE = 'unknown';

/** Whether a source trusted until then is still trusted now. */
export function isTrusted(trustedUntil: string | null, nowMs: number): boolean {
  if (trustedUntil === null) return false;
  const untilMs = Date.parse(trustedUntil);
  return !Number.isNaN(untilMs) && nowMs < untilMs;
}

export interface FailureWindow {
  /** Attempts that failed. */
  failures: number;
  /** Places taken: the failures and the attempts still being checked. */
  held: number;
  windowStartsAt: string;
}

/**
 * A window counts from its start until 15 minutes later, and until the limits are lifted
 * (`liftedAt`): it must start after the time this returns. A window that starts later than the
 * clock reads counts too: an attempt that read its clock later (a request that started after this
 * one, a host whose clock is ahead) opened it, and it is the current window all the same. Were it
 * replaced, the places taken in it would be lost and a burst would get more checks than its limit.
 * Compared as ISO strings, as the store's conditions compare them.
 */
export function windowFloor(nowMs: number, liftedAt: string | null = null): string {
  const expired = new Date(nowMs - WINDOW_MS).toISOString();
  return liftedAt !== null && liftedAt > expired ? liftedAt : expired;
}

const isLive = (window: FailureWindow, nowMs: number, liftedAt: string | null): boolean =>
  !Number.isNaN(Date.parse(window.windowStartsAt)) &&
  window.windowStartsAt > windowFloor(nowMs, liftedAt);

/**
 * What an attempt does with a window as read: takes a place in it, is refused by it (every place
 * is held), or opens a new window in its place (there is none, or it ended or was lifted).
 */
export type WindowStep = 'take' | 'refuse' | 'open';

export function nextStep(
  window: FailureWindow | null,
  nowMs: number,
  max = MAX_FAILURES,
  liftedAt: string | null = null,
): WindowStep {
  if (!window || !isLive(window, nowMs, liftedAt)) return 'open';
  return window.held < max ? 'take' : 'refuse';
}

/**
 * When a window opened now starts: now, but never at or before the lift it replaces a window
 * for, which a clock behind the lifting one would give: such a window would count as lifted
 * itself and be replaced by every attempt after it.
 */
export function openingStart(nowMs: number, liftedAt: string | null = null): string {
  const afterLiftMs = liftedAt === null ? nowMs : Date.parse(liftedAt) + 1;
  return new Date(Number.isNaN(afterLiftMs) ? nowMs : Math.max(nowMs, afterLiftMs)).toISOString();
}

/** Whether the window has a place for one more attempt now. */
export function hasPlace(window: FailureWindow | null, nowMs: number, max = MAX_FAILURES): boolean {
  return nextStep(window, nowMs, max) !== 'refuse';
}

/**
 * Seconds until the next attempt is allowed; 0 when it is allowed now. Failures fill the window
 * until it ends; attempts still being checked free their places within a second.
 */
export function retryAfterSeconds(
  window: FailureWindow | null,
  nowMs: number,
  max = MAX_FAILURES,
): number {
  if (hasPlace(window, nowMs, max) || !window) return 0;
  if (window.failures < max) return 1;
  const endsMs = Date.parse(window.windowStartsAt) + WINDOW_MS;
  return Math.max(1, Math.ceil((endsMs - nowMs) / 1000));
}
