/**
 * Quota alert levels (SPEC §2.9) as pure decisions. A watched quota has a level, 0, 80, 90 or
 * 100: it rises as soon as use reaches a higher level, and falls only once use is 5 points or
 * more below the level it holds, so use hovering around a level alerts once, not at every report.
 */
import { effectiveQuotaMb, percentUsed } from './quota.ts';

export const ALERT_LEVELS = [80, 90, 100] as const;
export type AlertLevel = 0 | (typeof ALERT_LEVELS)[number];

/** How far below a level use must fall before the level is lowered. */
export const RECOVERY_POINTS = 5;

/**
 * The level for `percent` (one decimal, as the views show it) given the level held before: the
 * highest level use has reached, or that was held and use is still less than 5 points below.
 * Unlimited (null) is not watched: 0.
 */
export function alertLevelFor(previous: AlertLevel, percent: number | null): AlertLevel {
  if (percent === null) return 0;
  let level: AlertLevel = 0;
  for (const candidate of ALERT_LEVELS) {
    const reached = percent >= candidate;
    const held = candidate <= previous && percent > candidate - RECOVERY_POINTS;
    if (reached || held) level = candidate;
  }
  return level;
}

export interface AlertChange {
  type: 'quota.threshold_crossed' | 'quota.recovered';
  level: AlertLevel;
  previousLevel: AlertLevel;
  usedMb: number;
  quotaMb: number;
  percentUsed: number;
}

export interface AlertEvaluation {
  level: AlertLevel;
  /** A crossing upwards (e-mailed) or a recovery (not); null when the level stays. */
  change: AlertChange | null;
}

/**
 * The level of a quota after a change of its use or size, and what that change tells: a
 * crossing upwards, a recovery, or nothing. A quota made unlimited drops to 0 without an event
 * (there is no percentage to report).
 */
export function evaluateAlert(
  previous: AlertLevel | undefined,
  usedMb: number,
  quotaMb: number | null,
): AlertEvaluation {
  const before = previous ?? 0;
  const percent = percentUsed(usedMb, quotaMb);
  const level = alertLevelFor(before, percent);
  if (level === before || quotaMb === null || percent === null) return { level, change: null };
  return {
    level,
    change: {
      type: level > before ? 'quota.threshold_crossed' : 'quota.recovered',
      level,
      previousLevel: before,
      usedMb,
      quotaMb,
      percentUsed: percent,
    },
  };
}

/** What an account's alert is evaluated on: its quotas, use, status and stored level. */
export interface WatchedAccount {
  status: string;
  hardQuotaMb: number | null;
  userQuotaMb: number | null;
  usedMb: number;
  alertLevel?: AlertLevel;
}

/**
 * An account's alert after a change (`account` as the change leaves it): watched on its
 * effective quota while finite. A cancelled account is not watched; its level stays as it was.
 */
export function accountAlert(account: WatchedAccount): AlertEvaluation {
  if (account.status === 'cancelled') return { level: account.alertLevel ?? 0, change: null };
  return evaluateAlert(
    account.alertLevel,
    account.usedMb,
    effectiveQuotaMb(account.hardQuotaMb, account.userQuotaMb),
  );
}

/**
 * A company's alert: its pool (`quotaMb`) against the use of all its accounts (`usedMb`, the
 * company's own figure). A company without a pool is not watched.
 */
export function companyAlert(company: {
  quotaMb: number | null;
  usedMb: number;
  alertLevel?: AlertLevel;
}): AlertEvaluation {
  return evaluateAlert(company.alertLevel, company.usedMb, company.quotaMb);
}
