/**
 * A change to an existing account as pure decisions: resize, convert plan, extend trial, change
 * contact, and cancel. A parent's plan and trial are its sub-accounts' too, so a conversion, an
 * extension or a cancellation plans the whole group. Nothing here reads or writes: the use case
 * reads, plans with this and writes the plan in one transaction whose conditions still hold
 * what the read could only tell early (the pool counter, the one-parent marker, `updatedAt`).
 */
import {
  accountCancelled,
  adminAccount,
  cannotConvertToTrial,
  companyCancelled,
  notFound,
  planAlreadyHasParent,
  subAccountFollowsParent,
  unknownContact,
} from '#lib/errors.ts';
import type { Account, Company, Contact } from '#lib/model.ts';
import type { UpdateAccountBody } from '#lib/schemas.ts';
import { type AlertChange, accountAlert } from './alert-levels.ts';
import { type AccountChangeEventType, accountChangeEventType } from './events.ts';
import { isNoChange, listedDelta } from './listed-totals.ts';
import type { PlannedAudit, PoolChange } from './new-account.ts';
import type { PlanName } from './plans.ts';
import {
  assertFitsPool,
  assertNotBelowUsage,
  decideHardQuota,
  type LadderOptions,
  pooledMbOf,
} from './quota.ts';
import { assertTrialDaysApply, convertedTrial, extendedTrial, trialEndsAt } from './trials.ts';
import { assertUltraSafeUnchanged } from './ultrasafe.ts';

export interface AccountChangeInput {
  /** As read: the account, and the company it is in. */
  account: Account | null;
  company: Company | null;
  /** A parent's sub-accounts not cancelled, read when the change is the group's (`changesGroup`). */
  subAccounts: Account[];
  /** The contact the body names, as read. */
  contact: Contact | null;
  /** Whether the plan the body converts to already has its parent account in the company. */
  planHasParent: boolean;
  body: UpdateAccountBody;
  ladder: LadderOptions;
  now: Date;
}

export interface AccountChangePlan {
  /** The `updatedAt` every changed account is written with. */
  at: string;
  company: Company;
  /** The account the request names, as written. */
  account: Account;
  /**
   * Each account as read and as written: the one the request names first, then its subs. The
   * trial index follows each written record's `trialStage` and `trialEndsAt`.
   */
  changes: Array<{ before: Account; after: Account }>;
  /** A conversion moves the one-parent marker from the old plan to the new one. */
  parentMarker: { release: PlanName; claim: PlanName } | null;
  /** Null when neither the pool nor the usage table's totals move. */
  pool: PoolChange | null;
  audit: PlannedAudit;
  /** The event the change writes, about the named account. */
  eventType: AccountChangeEventType;
  /**
   * The quota alert levels the change moved (SPEC §2.9: a resize or a conversion takes effect at
   * once), each account's new level already on its written record.
   */
  alerts: Array<{ account: Account; change: AlertChange }>;
}

const changesPlan = (body: UpdateAccountBody, account: Account): boolean =>
  body.plan !== undefined && body.plan !== account.plan;

/** Whether the change is the group's (a conversion or an extension), so needs the subs read. */
export const changesGroup = (body: UpdateAccountBody, account: Account): boolean =>
  changesPlan(body, account) || body.trialDays !== undefined;

/**
 * The `updatedAt` a change writes, which the next change is conditioned on: strictly later than
 * each account's as read, so two changes in one millisecond cannot both pass the same condition.
 */
export function versionAfter(now: Date, accounts: Account[]): string {
  const latest = Math.max(...accounts.map((account) => Date.parse(account.updatedAt)));
  return new Date(Math.max(now.getTime(), latest + 1)).toISOString();
}

const pooledSum = (accounts: Account[], pooled: boolean): number =>
  accounts.reduce((sum, account) => sum + pooledMbOf(account, pooled), 0);

/** Resize, convert plan, extend trial or change contact; every refusal is a catalogue error. */
export function planAccountChange(input: AccountChangeInput): AccountChangePlan {
  const { body, ladder } = input;
  const current = input.account;
  if (!input.company || !current) throw notFound('Account');
  const company = input.company;
  if (company.status !== 'active') throw companyCancelled();
  if (current.status === 'cancelled') throw accountCancelled();
  assertUltraSafeUnchanged(current.ultraSafe, body.ultraSafe);
  if (body.contactId !== undefined && !input.contact) throw unknownContact();

  const pooled = company.quotaMb !== null;
  const changePlan = changesPlan(body, current);
  const group =
    changesGroup(body, current) && current.kind === 'parent'
      ? [current, ...input.subAccounts]
      : [current];
  const at = versionAfter(input.now, group);
  if (changesGroup(body, current) && current.kind === 'sub') {
    throw subAccountFollowsParent(changePlan ? 'plan' : 'trialDays');
  }

  const updated = group.map((account) => ({ ...account, updatedAt: at }));
  const self = updated[0] as Account;
  if (changePlan) {
    const plan = body.plan as PlanName;
    if (plan === 'trial') throw cannotConvertToTrial();
    for (const account of updated) {
      const fromTrial = account.plan === 'trial';
      account.plan = plan;
      if (fromTrial) {
        // Converting ends the trial and applies the paid plan's quota defaults; the requested
        // size applies to the account named in the request.
        Object.assign(account, convertedTrial(account));
        account.hardQuotaMb = decideHardQuota({
          plan,
          requestedMb: account === self ? body.hardQuotaMb : undefined,
          poolMb: company.quotaMb,
          isCompanyAdmin: false,
          fineIncrements: ladder.fineIncrements,
        }).hardQuotaMb;
      }
    }
  } else if (body.trialDays !== undefined) {
    assertTrialDaysApply(current.plan, body.trialDays);
    const endsAt = trialEndsAt(current.createdAt, body.trialDays);
    for (const account of updated) Object.assign(account, extendedTrial(account, endsAt, at));
  }
  if (body.hardQuotaMb !== undefined && !(changePlan && current.plan === 'trial')) {
    self.hardQuotaMb = decideHardQuota({
      plan: self.plan,
      requestedMb: body.hardQuotaMb,
      poolMb: company.quotaMb,
      isCompanyAdmin: false,
      fineIncrements: ladder.fineIncrements,
    }).hardQuotaMb;
  }
  if (body.contactId !== undefined) self.contactId = body.contactId;
  assertNotBelowUsage(self.hardQuotaMb, self.usedMb);

  const delta = pooledSum(updated, pooled) - pooledSum(group, pooled);
  if (changePlan && input.planHasParent) throw planAlreadyHasParent(self.plan);
  assertFitsPool(company, delta);

  const alerts: AccountChangePlan['alerts'] = [];
  for (const account of updated) {
    const alert = accountAlert(account);
    account.alertLevel = alert.level;
    if (alert.change) alerts.push({ account, change: alert.change });
  }

  const listed = listedDelta(group, updated);
  const { ultraSafe: _ultraSafe, ...details } = body;
  return {
    at,
    company,
    account: self,
    changes: group.map((before, i) => ({ before, after: updated[i] as Account })),
    parentMarker: changePlan ? { release: current.plan, claim: self.plan } : null,
    pool:
      delta !== 0 || !isNoChange(listed)
        ? {
            pooledDeltaMb: delta,
            accountCountDelta: 0,
            pooled,
            requireActive: delta > 0,
            listed,
          }
        : null,
    eventType: accountChangeEventType({
      planChanged: changePlan,
      fromTrial: current.plan === 'trial',
      trialExtended: body.trialDays !== undefined,
    }),
    alerts,
    audit: {
      action: changePlan ? 'account.convert' : 'account.update',
      targetType: 'account',
      targetId: current.id,
      companyId: company.id,
      details: { ...details, subAccounts: group.length - 1 },
    },
  };
}

export interface AccountCancellationInput {
  account: Account | null;
  company: Company | null;
  /** A parent's sub-accounts not cancelled, read unless the account is cancelled already. */
  subAccounts: Account[];
  now: Date;
}

export interface AccountCancellationPlan {
  alreadyCancelled: false;
  at: string;
  company: Company;
  /** As read: the account and, for a parent, its sub-accounts, all cancelled together. */
  accounts: Account[];
  /** The named account as it is left. */
  cancelled: Account;
  pool: PoolChange;
  /** A parent frees its plan's one-parent marker. */
  releasesParentMarker: PlanName | null;
  /** A sub-account is uncounted on its parent. */
  detachesFromParent: boolean;
  audit: PlannedAudit;
}

/** Whether cancelling still has anything to do: cancelling again returns the same account. */
export const cancellationPending = (account: Account): boolean => account.status !== 'cancelled';

/** An account cancelled already: there is nothing to write, and it is returned as it is. */
export interface AlreadyCancelled {
  alreadyCancelled: true;
  account: Account;
  company: Company;
}

/**
 * Cancelling is final: the account (and a parent's sub-accounts) stop, their storage returns
 * to the pool and their usernames stay reserved.
 */
export function planAccountCancellation(
  input: AccountCancellationInput,
): AccountCancellationPlan | AlreadyCancelled {
  const { account, company } = input;
  if (!company || !account) throw notFound('Account');
  if (!cancellationPending(account)) return { alreadyCancelled: true, account, company };
  if (account.id === company.adminAccountId && company.status === 'active') throw adminAccount();
  const pooled = company.quotaMb !== null;
  const group = account.kind === 'parent' ? [account, ...input.subAccounts] : [account];
  const at = versionAfter(input.now, group);
  const returnedMb = pooledSum(group, pooled);
  return {
    alreadyCancelled: false,
    at,
    company,
    accounts: group,
    cancelled: { ...account, status: 'cancelled', updatedAt: at },
    pool: {
      pooledDeltaMb: -returnedMb,
      accountCountDelta: -group.length,
      pooled,
      requireActive: false,
      listed: listedDelta(group, []),
    },
    releasesParentMarker: account.kind === 'parent' ? account.plan : null,
    detachesFromParent: account.kind === 'sub' && account.parentId !== null,
    audit: {
      action: 'account.cancel',
      targetType: 'account',
      targetId: account.id,
      companyId: company.id,
      details: { username: account.username, subAccountsCancelled: group.length - 1, returnedMb },
    },
  };
}
