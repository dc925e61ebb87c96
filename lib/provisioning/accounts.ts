import { ulid } from 'ulid';
import type * as z from 'zod/mini';
import type { createdAccountResponse } from '#lib/api/responses.ts';
import {
  accountCancelled,
  adminAccount,
  cannotConvertToTrial,
  companyCancelled,
  notAParent,
  notATrial,
  notFound,
  parentNotActive,
  planAlreadyHasParent,
  subAccountFollowsParent,
  tooManySubAccounts,
  unknownContact,
  unknownParent,
} from '#lib/errors.ts';
import { count } from '#lib/metrics.ts';
import {
  type Account,
  type AccountView,
  type Company,
  type Contact,
  companyAddOns,
  toAccountView,
  toContactView,
} from '#lib/model.ts';
import { isNoChange, listedDelta } from '#lib/rules/listed-totals.ts';
import type { PlanName } from '#lib/rules/plans.ts';
import {
  assertFitsPool,
  assertNotBelowUsage,
  decideHardQuota,
  pooledMbOf,
} from '#lib/rules/quota.ts';
import { firstPendingStage, trialEndsAt } from '#lib/rules/trials.ts';
import { assertUltraSafeUnchanged } from '#lib/rules/ultrasafe.ts';
import type { CreateAccountBody, UpdateAccountBody } from '#lib/schemas.ts';
import {
  attachSubAccount,
  cancelAccountStep,
  claimParentMarker,
  detachSubAccount,
  listAccounts as listAccountPage,
  loadAccountContext,
  putNewAccount,
  releaseParentMarker,
  requireAccountContext,
  saveAccount,
  subAccountsOf,
} from '#lib/store/accounts.ts';
import { changeAllocation } from '#lib/store/companies.ts';
import { putNewContact } from '#lib/store/contacts.ts';
import { outboxStep } from '#lib/store/outbox.ts';
import { MAX_TRANSACTION_ITEMS, type Page, transact, type WriteStep } from '#lib/store/table.ts';
import { audit } from './audit.ts';
import { welcomeMessage } from './messages.ts';
import { buildNewAccount } from './new-account.ts';
import { retryingLostRaces } from './retry.ts';
import type { CompanyScope } from './scope.ts';

export type CreatedAccount = z.output<typeof createdAccountResponse>;

function requireActiveCompany(company: Company | null): Company {
  if (!company) throw notFound('Company');
  if (company.status !== 'active') {
    throw companyCancelled();
  }
  return company;
}

/**
 * A parent account (its own plan) or a sub-account (its parent's plan), with its welcome
 * e-mail, in one read and one transaction. The pool counter, the username marker and the
 * one-parent-per-plan marker are all conditions of that transaction.
 */
export async function createAccount(
  scope: CompanyScope,
  body: CreateAccountBody,
  now = new Date(),
): Promise<CreatedAccount> {
  const { companyId } = scope;
  const context = await loadAccountContext(scope.partnerId, companyId, {
    parentId: body.parentId,
    // The admin contact shares the company's id (see createCompany).
    contactId: body.contactId ?? (body.contact ? undefined : companyId),
    parentOfPlan: body.parentId ? undefined : body.plan,
  });
  const company = requireActiveCompany(context.company);
  let parent: Account | null = null;
  if (body.parentId) {
    parent = context.parent;
    if (!parent) {
      throw unknownParent();
    }
    if (parent.kind !== 'parent') {
      throw notAParent();
    }
    if (parent.status !== 'active') {
      throw parentNotActive();
    }
  }
  const plan = (parent?.plan ?? body.plan) as PlanName;
  const at = now.toISOString();
  let contact: Contact;
  let newContact = false;
  if (body.contact) {
    contact = {
      id: ulid(),
      companyId,
      fullName: body.contact.fullName,
      email: body.contact.email,
      phone: body.contact.phone ?? null,
      createdAt: at,
    };
    newContact = true;
  } else if (context.contact) {
    contact = context.contact;
  } else if (body.contactId) {
    throw unknownContact();
  } else {
    throw new Error(`Company ${companyId} has no admin contact`);
  }
  const { account, pooledMb } = await buildNewAccount({
    request: body,
    id: ulid(),
    partnerId: scope.partnerId,
    companyId,
    kind: parent ? 'sub' : 'parent',
    parent,
    plan,
    contactId: contact.id,
    poolMb: company.quotaMb,
    isCompanyAdmin: false,
    fineIncrements: scope.fineIncrements,
    fieldPrefix: '',
    now,
  });
  // What the request itself gets wrong is told first (422), then the plan, then the pool (409).
  if (!parent && context.planHasParent) throw planAlreadyHasParent(plan);
  assertFitsPool(company, pooledMb);
  const steps: WriteStep[] = [
    changeAllocation(company, {
      pooledDeltaMb: pooledMb,
      accountCountDelta: 1,
      at,
      pooled: company.quotaMb !== null,
      requireActive: true,
      listed: listedDelta([], [account]),
    }),
    ...putNewAccount(account),
    outboxStep(welcomeMessage(scope, account)),
    audit(scope, now, {
      action: 'account.create',
      targetType: 'account',
      targetId: account.id,
      companyId,
      details: {
        username: account.username,
        plan,
        kind: account.kind,
        hardQuotaMb: account.hardQuotaMb,
      },
    }),
  ];
  if (parent) steps.push(attachSubAccount(parent));
  if (newContact) steps.push(putNewContact(scope.partnerId, contact));
  const reply = {
    account: toAccountView(account, companyAddOns(company)),
    contact: toContactView(contact),
  };
  await transact(steps, { reply });
  count('AccountsCreated');
  return reply;
}

export async function getAccount(scope: CompanyScope, accountId: string): Promise<AccountView> {
  const { companyId } = scope;
  const { company, account } = await requireAccountContext(scope.partnerId, companyId, accountId);
  return toAccountView(account, companyAddOns(company));
}

export async function listAccounts(
  scope: CompanyScope,
  limit: number,
  cursor: string | undefined,
): Promise<Page<AccountView>> {
  const { companyId } = scope;
  const { company } = await loadAccountContext(scope.partnerId, companyId, {});
  if (!company) throw notFound('Company');
  const page = await listAccountPage(scope.partnerId, companyId, limit, cursor);
  const addOns = companyAddOns(company);
  return { items: page.items.map((a) => toAccountView(a, addOns)), nextCursor: page.nextCursor };
}

/**
 * The `updatedAt` a change writes, which the next change is conditioned on: strictly later than
 * each account's as read, so two changes in one millisecond cannot both pass the same condition.
 */
function versionAfter(now: Date, accounts: Account[]): string {
  const latest = Math.max(...accounts.map((account) => Date.parse(account.updatedAt)));
  return new Date(Math.max(now.getTime(), latest + 1)).toISOString();
}

/** The account and, for a parent, its sub-accounts: they share plan and trial. */
async function withSubAccounts(account: Account): Promise<Account[]> {
  if (account.kind !== 'parent') return [account];
  const subs = (await subAccountsOf(account)).filter((sub) => sub.status !== 'cancelled');
  return [account, ...subs];
}

/**
 * Resize, convert plan, extend trial or change contact. Every change to the pool is checked
 * against the company counter inside the same transaction.
 */
export const updateAccount = (
  scope: CompanyScope,
  accountId: string,
  body: UpdateAccountBody,
  now = new Date(),
): Promise<AccountView> => retryingLostRaces(() => updateAccountOnce(scope, accountId, body, now));

async function updateAccountOnce(
  scope: CompanyScope,
  accountId: string,
  body: UpdateAccountBody,
  now: Date,
): Promise<AccountView> {
  const { companyId } = scope;
  const context = await loadAccountContext(scope.partnerId, companyId, {
    accountId,
    contactId: body.contactId,
    parentOfPlan: body.plan,
  });
  const current = context.account;
  if (!context.company || !current) throw notFound('Account');
  const company = requireActiveCompany(context.company);
  if (current.status === 'cancelled') {
    throw accountCancelled();
  }
  assertUltraSafeUnchanged(current.ultraSafe, body.ultraSafe);
  if (body.contactId !== undefined && !context.contact) throw unknownContact();

  const pooled = company.quotaMb !== null;
  const ladder = { fineIncrements: scope.fineIncrements };
  const changePlan = body.plan !== undefined && body.plan !== current.plan;
  const group =
    changePlan || body.trialDays !== undefined ? await withSubAccounts(current) : [current];
  const at = versionAfter(now, group);
  if ((changePlan || body.trialDays !== undefined) && current.kind === 'sub') {
    throw subAccountFollowsParent(changePlan ? 'plan' : 'trialDays');
  }

  const updated = group.map((account) => ({ ...account, updatedAt: at }));
  const self = updated[0] as Account;
  if (changePlan) {
    const plan = body.plan as PlanName;
    if (plan === 'trial') {
      throw cannotConvertToTrial();
    }
    for (const account of updated) {
      const fromTrial = account.plan === 'trial';
      account.plan = plan;
      if (fromTrial) {
        // Converting clears the trial and applies the paid plan's quota defaults; the
        // requested size applies to the account named in the request.
        account.trialEndsAt = null;
        account.trialStage = null;
        if (account.status === 'expired') account.status = 'active';
        account.hardQuotaMb = decideHardQuota({
          plan,
          requestedMb: account === self ? body.hardQuotaMb : undefined,
          poolMb: company.quotaMb,
          isCompanyAdmin: false,
          fineIncrements: scope.fineIncrements,
        }).hardQuotaMb;
      }
    }
  } else if (body.trialDays !== undefined) {
    if (current.plan !== 'trial') {
      throw notATrial();
    }
    const endsAt = trialEndsAt(current.createdAt, body.trialDays);
    for (const account of updated) {
      account.trialEndsAt = endsAt;
      if (account.status === 'expired' && endsAt > at) account.status = 'active';
      // The new end may call for reminders again; a trial still expired stays out of the index.
      account.trialStage =
        account.kind === 'parent' && account.status === 'active'
          ? firstPendingStage(endsAt, at)
          : null;
    }
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

  const pooledBefore = group.reduce((sum, a) => sum + pooledMbOf(a, pooled), 0);
  const pooledAfter = updated.reduce((sum, a) => sum + pooledMbOf(a, pooled), 0);
  const delta = pooledAfter - pooledBefore;
  if (changePlan && context.planHasParent) throw planAlreadyHasParent(self.plan);
  assertFitsPool(company, delta);

  const steps: WriteStep[] = group.map((before, i) => saveAccount(before, updated[i] as Account));
  if (changePlan) {
    steps.push(releaseParentMarker(current, current.plan), claimParentMarker(current, self.plan));
  }
  const listed = listedDelta(group, updated);
  if (delta !== 0 || !isNoChange(listed)) {
    steps.push(
      changeAllocation(company, {
        pooledDeltaMb: delta,
        accountCountDelta: 0,
        at,
        pooled,
        requireActive: delta > 0,
        listed,
      }),
    );
  }
  steps.push(
    audit(scope, now, {
      action: changePlan ? 'account.convert' : 'account.update',
      targetType: 'account',
      targetId: current.id,
      companyId,
      details: { ...stripUltraSafe(body), subAccounts: group.length - 1 },
    }),
  );
  // The parent and its sub-accounts change together or not at all: a group too large for one
  // transaction is refused rather than left half-converted.
  assertFitsOneTransaction(steps, group);
  await transact(steps);
  return toAccountView(self, companyAddOns(company));
}

const stripUltraSafe = ({ ultraSafe: _u, ...rest }: UpdateAccountBody) => rest;

/** The steps of a change to a parent and its sub-accounts fit in one transaction. */
function assertFitsOneTransaction(steps: WriteStep[], group: Account[]): void {
  if (steps.length <= MAX_TRANSACTION_ITEMS) return;
  const maxSubAccounts = MAX_TRANSACTION_ITEMS - (steps.length - group.length) - 1;
  throw tooManySubAccounts(group.length - 1, maxSubAccounts);
}

/**
 * Cancelling is final: the account (and a parent's sub-accounts) stop, their storage returns
 * to the pool and their usernames stay reserved. Cancelling again returns the same account.
 */
export const cancelAccount = (
  scope: CompanyScope,
  accountId: string,
  now = new Date(),
): Promise<AccountView> => retryingLostRaces(() => cancelAccountOnce(scope, accountId, now));

async function cancelAccountOnce(
  scope: CompanyScope,
  accountId: string,
  now: Date,
): Promise<AccountView> {
  const { companyId } = scope;
  const { company, account } = await requireAccountContext(scope.partnerId, companyId, accountId);
  if (account.status === 'cancelled') return toAccountView(account, companyAddOns(company));
  if (account.id === company.adminAccountId && company.status === 'active') {
    throw adminAccount();
  }
  const pooled = company.quotaMb !== null;
  const group = await withSubAccounts(account);
  const at = versionAfter(now, group);
  const returnedMb = group.reduce((sum, a) => sum + pooledMbOf(a, pooled), 0);
  const steps: WriteStep[] = [
    ...group.map((a) => cancelAccountStep(a, at)),
    changeAllocation(company, {
      pooledDeltaMb: -returnedMb,
      accountCountDelta: -group.length,
      at,
      pooled,
      requireActive: false,
      listed: listedDelta(group, []),
    }),
    audit(scope, now, {
      action: 'account.cancel',
      targetType: 'account',
      targetId: account.id,
      companyId,
      details: { username: account.username, subAccountsCancelled: group.length - 1, returnedMb },
    }),
  ];
  if (account.kind === 'parent') steps.push(releaseParentMarker(account, account.plan));
  if (account.kind === 'sub' && account.parentId) steps.push(detachSubAccount(account));
  assertFitsOneTransaction(steps, group);
  await transact(steps);
  return toAccountView({ ...account, status: 'cancelled', updatedAt: at }, companyAddOns(company));
}
