/**
 * The trial lifecycle (SPEC §2.6) as pure functions: how long a trial lasts, reminders 7 days
 * and 1 day before the end, then expiry; how a trial opens, is extended and is converted. An
 * open trial always knows its next pending stage and when it is due.
 */
import { notATrial } from '#lib/errors.ts';
import type { AccountStatus, PlanName } from './plans.ts';

export const TRIAL_DEFAULT_DAYS = 30;
export const TRIAL_MIN_DAYS = 1;
export const TRIAL_MAX_DAYS = 90;

export const TRIAL_STAGES = ['reminder-7', 'reminder-1', 'expire'] as const;
export type TrialStage = (typeof TRIAL_STAGES)[number];

const DAY_MS = 86_400_000;

/** Trial days are whole days of 24 hours, counted from when the account was created. */
export function trialEndsAt(createdAtIso: string, trialDays: number): string {
  return new Date(Date.parse(createdAtIso) + trialDays * DAY_MS).toISOString();
}
const OFFSET_MS: Record<TrialStage, number> = {
  'reminder-7': 7 * DAY_MS,
  'reminder-1': DAY_MS,
  expire: 0,
};

/**
 * Whole days left until the end, counting a part day as a day: 7 for the 7-day reminder sent on
 * time, fewer for one a job that missed days sends late, 0 once the end has passed.
 */
export function daysLeft(trialEndsAtIso: string, nowIso: string): number {
  const leftMs = Date.parse(trialEndsAtIso) - Date.parse(nowIso);
  return Math.max(0, Math.ceil(leftMs / DAY_MS));
}

export function stageDueAt(trialEndsAtIso: string, stage: TrialStage): string {
  return new Date(Date.parse(trialEndsAtIso) - OFFSET_MS[stage]).toISOString();
}

/**
 * The first stage still ahead at `nowIso`: what a new or extended trial waits for. A stage
 * already in the past is skipped (a 5-day trial gets no 7-day reminder); once only the end is
 * left, it is the expiry, even if that too is past (the job then expires it at once).
 */
export function firstPendingStage(trialEndsAtIso: string, nowIso: string): TrialStage {
  for (const stage of TRIAL_STAGES) {
    if (stageDueAt(trialEndsAtIso, stage) > nowIso) return stage;
  }
  return 'expire';
}

/**
 * The stage to carry out now for a trial whose pending stage is due: the latest stage already
 * due, so a job that missed days sends the reminder that still makes sense, not a stale one.
 */
export function stageToRun(
  trialEndsAtIso: string,
  pending: TrialStage,
  nowIso: string,
): TrialStage | null {
  let latest: TrialStage | null = null;
  for (const stage of TRIAL_STAGES.slice(TRIAL_STAGES.indexOf(pending))) {
    if (stageDueAt(trialEndsAtIso, stage) <= nowIso) latest = stage;
  }
  return latest;
}

export function stageAfter(stage: TrialStage): TrialStage | null {
  const next = TRIAL_STAGES[TRIAL_STAGES.indexOf(stage) + 1];
  return next ?? null;
}

export const dayOf = (iso: string): string => iso.slice(0, 10);

/**
 * The day bucket an open trial is filed under: its due day, or the day of the write if that is
 * later, so the job (which always reads back to yesterday) never misses an item written late.
 */
export function dueBucket(dueAtIso: string, writtenAtIso: string): string {
  const due = dayOf(dueAtIso);
  const written = dayOf(writtenAtIso);
  // biome-ignore lint/complexity/useMathMinMax: these are ISO day strings, which Math.max would turn into NaN
  return due > written ? due : written;
}

/**
 * The days the job reads: from the last day it completed (at most yesterday) through today. A
 * first run reads back the longest a trial can last, so nothing filed before it is missed.
 */
export function daysToScan(
  lastCompletedDay: string | null,
  nowIso: string,
  maxDays = 120,
): string[] {
  const today = Date.parse(`${dayOf(nowIso)}T00:00:00.000Z`);
  const yesterday = today - DAY_MS;
  const oldest = today - maxDays * DAY_MS;
  const from = lastCompletedDay ? Date.parse(`${lastCompletedDay}T00:00:00.000Z`) : oldest;
  const start = Math.max(Math.min(from, yesterday), oldest);
  const days: string[] = [];
  for (let day = start; day <= today; day += DAY_MS)
    days.push(new Date(day).toISOString().slice(0, 10));
  return days;
}

/** The fields of an account that carry its trial. */
export interface TrialState {
  status: AccountStatus;
  trialEndsAt: string | null;
  /** Only a parent is filed in the trial index: its sub-accounts follow it. */
  trialStage: TrialStage | null;
}

/** Trial days are asked for only of a trial. */
export function assertTrialDaysApply(plan: PlanName, trialDays: number | undefined): void {
  if (trialDays !== undefined && plan !== 'trial') throw notATrial();
}

/**
 * The trial a new account opens: a sub-account ends with its parent, a parent after the days
 * asked for (30 by default); an account of a paid plan has none.
 */
export function openingTrial(input: {
  plan: PlanName;
  isParent: boolean;
  parentTrialEndsAt: string | null;
  trialDays: number | undefined;
  createdAt: string;
}): Pick<TrialState, 'trialEndsAt' | 'trialStage'> {
  if (input.plan !== 'trial') return { trialEndsAt: null, trialStage: null };
  const endsAt = input.isParent
    ? trialEndsAt(input.createdAt, input.trialDays ?? TRIAL_DEFAULT_DAYS)
    : input.parentTrialEndsAt;
  return {
    trialEndsAt: endsAt,
    trialStage: endsAt && input.isParent ? firstPendingStage(endsAt, input.createdAt) : null,
  };
}

/**
 * A trial extended to end `endsAt`, as of `atIso`: an expired trial whose new end is ahead
 * opens again, and an open parent waits for the first stage of the new end. A trial still
 * expired stays out of the index.
 */
export function extendedTrial(
  account: { kind: 'parent' | 'sub'; status: AccountStatus },
  endsAt: string,
  atIso: string,
): TrialState {
  const status = account.status === 'expired' && endsAt > atIso ? 'active' : account.status;
  return {
    status,
    trialEndsAt: endsAt,
    trialStage:
      account.kind === 'parent' && status === 'active' ? firstPendingStage(endsAt, atIso) : null,
  };
}

/** A trial converted to a paid plan ends at once; an expired one takes backups again. */
export function convertedTrial(account: { status: AccountStatus }): TrialState {
  return {
    status: account.status === 'expired' ? 'active' : account.status,
    trialEndsAt: null,
    trialStage: null,
  };
}
