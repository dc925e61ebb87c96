/**
 * The trial job: sends the 7-day and 1-day reminders and expires trials whose end has passed.
 * It reads only the trial index's day buckets from the last day it completed through today,
 * so its cost follows the trials due, not the number of accounts. It can run twice or
 * concurrently: each transition is a conditioned transaction that only one run can win.
 */
import { ulid } from 'ulid';
import { AppError } from '#lib/errors.ts';
import { count } from '#lib/metrics.ts';
import { type Account, companyAddOns, toAccountView } from '#lib/model.ts';
import {
  dayOf,
  daysLeft,
  daysToScan,
  stageAfter,
  stageToRun,
  type TrialStage,
} from '#lib/rules/trials.ts';
import { subAccountsOf } from '#lib/store/accounts.ts';
import { auditStep, newAuditId } from '#lib/store/audit.ts';
import { findCompany } from '#lib/store/companies.ts';
import { eventStep } from '#lib/store/events.ts';
import { type AccountMessage, outboxStep } from '#lib/store/outbox.ts';
import { MAX_TRANSACTION_ITEMS, transact, type WriteStep } from '#lib/store/table.ts';
import {
  advanceTrialStep,
  dueTrialsPage,
  expireSubAccountStep,
  lastCompletedDay,
  markCompletedThrough,
} from '#lib/store/trials.ts';
import { aboutAccount, newEvent } from './events.ts';

/** Who the trial job's audit entries and events name. */
const TRIAL_JOB = 'system:trial-job';

export interface TrialJobOptions {
  now: Date;
  /** Stop starting new pages after this instant (the Lambda's remaining time). */
  deadline?: number;
  pageSize?: number;
  /**
   * False for a run as of another instant than the clock's (`trials:run -- --now`): it reads and
   * transitions as of `now` but leaves the completed-day mark that the real runs read from.
   */
  recordProgress?: boolean;
}

export interface TrialJobResult {
  daysScanned: string[];
  reminders7: number;
  reminders1: number;
  expired: number;
  /** Due items another run had already handled (or that changed meanwhile). */
  skipped: number;
  /** False when the deadline came first: the next run continues where this one stopped. */
  complete: boolean;
  consumedReadCapacity: number;
}

export async function runTrialJob(options: TrialJobOptions): Promise<TrialJobResult> {
  const nowIso = options.now.toISOString();
  const today = dayOf(nowIso);
  // A mark past today was left by a run as of a later instant (before such runs stopped
  // recording it): it says nothing about the days real runs have read, so it is not trusted.
  const mark = await lastCompletedDay();
  const days = daysToScan(mark !== null && mark <= today ? mark : null, nowIso);
  const result: TrialJobResult = {
    daysScanned: days,
    reminders7: 0,
    reminders1: 0,
    expired: 0,
    skipped: 0,
    complete: true,
    consumedReadCapacity: 0,
  };
  const pageSize = options.pageSize ?? 100;
  scan: for (const day of days) {
    let startKey: Record<string, unknown> | undefined;
    do {
      if (options.deadline !== undefined && Date.now() > options.deadline) {
        result.complete = false;
        break scan;
      }
      const page = await dueTrialsPage(day, nowIso, pageSize, startKey);
      result.consumedReadCapacity += page.consumedCapacity;
      for (const account of page.accounts) {
        const outcome = await runDueStage(account, nowIso);
        if (outcome === 'reminder-7') result.reminders7++;
        else if (outcome === 'reminder-1') result.reminders1++;
        else if (outcome === 'expire') result.expired++;
        else result.skipped++;
        if (outcome === 'reminder-7' || outcome === 'reminder-1') count('TrialRemindersSent');
        else if (outcome === 'expire') count('TrialsExpired');
      }
      startKey = page.next;
    } while (startKey);
  }
  if (result.complete && options.recordProgress !== false) {
    await markCompletedThrough(today);
  }
  return result;
}

/** Carries out the stage due for one trial; null when there was nothing (left) to do. */
async function runDueStage(account: Account, nowIso: string): Promise<TrialStage | null> {
  const pending = account.trialStage;
  if (!pending || !account.trialEndsAt || account.status !== 'active') return null;
  const stage = stageToRun(account.trialEndsAt, pending, nowIso);
  if (!stage) return null;
  const next: Account = {
    ...account,
    trialStage: stageAfter(stage),
    status: stage === 'expire' ? 'expired' : account.status,
    updatedAt: nowIso,
  };
  const message = trialMessage(account, stage, nowIso);
  const steps: WriteStep[] = [
    advanceTrialStep(account, pending, next),
    outboxStep(message),
    eventStep(await trialEvent(next, stage, message.daysLeft ?? 0, nowIso)),
  ];
  if (stage === 'expire') {
    const subs = (await subAccountsOf(account)).filter((sub) => sub.status === 'active');
    // Sub-accounts past what one transaction holds are expired first, in their own
    // transactions; the parent's transition comes last, so a crash leaves it due and retried.
    const room = MAX_TRANSACTION_ITEMS - 3;
    const overflow = subs.slice(room);
    for (let i = 0; i < overflow.length; i += MAX_TRANSACTION_ITEMS) {
      await transactIgnoringLostRace(
        overflow
          .slice(i, i + MAX_TRANSACTION_ITEMS)
          .map((sub) => expireSubAccountStep(sub, nowIso)),
      );
    }
    steps.push(...subs.slice(0, room).map((sub) => expireSubAccountStep(sub, nowIso)));
    steps.push(
      auditStep(account.partnerId, {
        id: newAuditId(new Date(nowIso)),
        at: nowIso,
        actor: TRIAL_JOB,
        actingAs: null,
        action: 'account.trial-expire',
        targetType: 'account',
        targetId: account.id,
        companyId: account.companyId,
        details: { username: account.username, subAccountsExpired: subs.length },
      }),
    );
  }
  return (await transactIgnoringLostRace(steps)) ? stage : null;
}

/** The stage's event, with the account as the transition leaves it (its company's add-ons read). */
async function trialEvent(next: Account, stage: TrialStage, daysLeft: number, nowIso: string) {
  const company = await findCompany(next.partnerId, next.companyId);
  const account = toAccountView(next, companyAddOns(company ?? NO_ADD_ONS));
  const scope = { partnerId: next.partnerId, actor: TRIAL_JOB };
  const at = new Date(nowIso);
  return stage === 'expire'
    ? newEvent(scope, at, 'trial.expired', aboutAccount(next), { account })
    : newEvent(scope, at, 'trial.reminder_sent', aboutAccount(next), { account, daysLeft });
}

/** A company gone since the account was indexed (a race with its cancellation) has none. */
const NO_ADD_ONS = { licenses: { egr: 0, spV5: 0 }, endGuard: false };

/** False when a condition failed: another run (or a user's change) got there first. */
async function transactIgnoringLostRace(steps: WriteStep[]): Promise<boolean> {
  try {
    await transact(steps);
    return true;
  } catch (error) {
    if (error instanceof AppError && error.code === 'CONFLICT') return false;
    throw error;
  }
}

function trialMessage(account: Account, stage: TrialStage, nowIso: string): AccountMessage {
  return {
    id: ulid(),
    kind: stage === 'expire' ? 'trial-expired' : 'trial-reminder',
    partnerId: account.partnerId,
    companyId: account.companyId,
    accountId: account.id,
    username: account.username,
    contactId: account.contactId,
    // The mailer names the partner from its own record at send time.
    senderName: '',
    generatePassword: false,
    ultraSafe: account.ultraSafe,
    plan: account.plan,
    trialEndsAt: account.trialEndsAt,
    daysLeft: stage === 'expire' ? 0 : daysLeft(account.trialEndsAt as string, nowIso),
    createdAt: nowIso,
  };
}
