import { ulid } from 'ulid';
import type * as z from 'zod/mini';
import type { createdAccountResponse } from '#lib/api/responses.ts';
import { notFound } from '#lib/errors.ts';
import { count } from '#lib/metrics.ts';
import { type AccountView, companyAddOns, toAccountView, toContactView } from '#lib/model.ts';
import {
  cancellationPending,
  changesGroup,
  planAccountCancellation,
  planAccountChange,
} from '#lib/rules/account-change.ts';
import { planNewAccount } from '#lib/rules/new-account.ts';
import {
  assertCompanyAdminMayWrite,
  planAccountSuspension,
  type SuspensionAction,
} from '#lib/rules/suspension.ts';
import type { CreateAccountBody, SuspensionBody, UpdateAccountBody } from '#lib/schemas.ts';
import { dynamoAccountStore } from '#lib/store/account-store.ts';
import {
  listAccounts as listAccountPage,
  loadAccountContext,
  requireAccountContext,
} from '#lib/store/accounts.ts';
import type { Page } from '#lib/store/table.ts';
import type { AccountStore } from './account-store.ts';
import { alertEffects } from './alerts.ts';
import { auditEntry } from './audit.ts';
import { aboutAccount, newEvent } from './events.ts';
import { accountSuspensionMessage, welcomeMessage } from './messages.ts';
import { withHashedSecrets } from './new-account.ts';
import { retryingLostRaces } from './retry.ts';
import { actsAsCompanyAdmin, type CompanyScope } from './scope.ts';

export type CreatedAccount = z.output<typeof createdAccountResponse>;

/**
 * A parent account (its own plan) or a sub-account (its parent's plan), with its welcome
 * e-mail, in one read and one transaction. The pool counter, the username marker and the
 * one-parent-per-plan marker are all conditions of that transaction.
 */
export async function createAccount(
  scope: CompanyScope,
  body: CreateAccountBody,
  now = new Date(),
  store: AccountStore = dynamoAccountStore,
): Promise<CreatedAccount> {
  const { companyId } = scope;
  const context = await store.loadContext(scope.partnerId, companyId, {
    parentId: body.parentId,
    // The admin contact shares the company's id (see createCompany).
    contactId: body.contactId ?? (body.contact ? undefined : companyId),
    parentOfPlan: body.parentId ? undefined : body.plan,
  });
  assertCompanyAdminMayWrite(actsAsCompanyAdmin(scope), context.company);
  const plan = planNewAccount({
    partnerId: scope.partnerId,
    companyId,
    body,
    ids: { account: ulid(), contact: ulid() },
    company: context.company,
    parent: context.parent,
    contact: context.contact,
    planHasParent: context.planHasParent,
    ladder: { fineIncrements: scope.fineIncrements },
    now,
  });
  const account = await withHashedSecrets(plan.account, plan.secrets);
  const reply = {
    account: toAccountView(account, companyAddOns(plan.company)),
    contact: toContactView(plan.contact),
  };
  await store.commitNewAccount(
    { ...plan, account },
    {
      welcome: welcomeMessage(scope, account),
      audit: auditEntry(scope, now, plan.audit),
      event: newEvent(scope, now, 'account.created', aboutAccount(account), {
        account: reply.account,
      }),
      reply,
    },
  );
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
 * Resize, convert plan, extend trial or change contact. Every change to the pool is checked
 * against the company counter inside the same transaction.
 */
export const updateAccount = (
  scope: CompanyScope,
  accountId: string,
  body: UpdateAccountBody,
  now = new Date(),
  store: AccountStore = dynamoAccountStore,
): Promise<AccountView> =>
  retryingLostRaces(() => updateAccountOnce(scope, accountId, body, now, store));

async function updateAccountOnce(
  scope: CompanyScope,
  accountId: string,
  body: UpdateAccountBody,
  now: Date,
  store: AccountStore,
): Promise<AccountView> {
  const context = await store.loadContext(scope.partnerId, scope.companyId, {
    accountId,
    contactId: body.contactId,
    parentOfPlan: body.plan,
  });
  const { account } = context;
  assertCompanyAdminMayWrite(actsAsCompanyAdmin(scope), context.company, account);
  // A parent's plan and trial are its sub-accounts' too: a change to either plans them all.
  const subAccounts =
    account && changesGroup(body, account) ? await store.liveSubAccountsOf(account) : [];
  const plan = planAccountChange({
    account,
    company: context.company,
    subAccounts,
    contact: context.contact,
    planHasParent: context.planHasParent,
    body,
    ladder: { fineIncrements: scope.fineIncrements },
    now,
  });
  const view = toAccountView(plan.account, companyAddOns(plan.company));
  await store.commitChange(plan, {
    audit: auditEntry(scope, now, plan.audit),
    event: newEvent(scope, now, plan.eventType, aboutAccount(plan.account), { account: view }),
    alerts: alertEffects(
      scope,
      now,
      plan.alerts.map(({ account, change }) => ({ subject: 'account', account, change })),
    ),
  });
  return view;
}

/**
 * Cancelling is final: the account (and a parent's sub-accounts) stop, their storage returns
 * to the pool and their usernames stay reserved. Cancelling again returns the same account.
 */
export const cancelAccount = (
  scope: CompanyScope,
  accountId: string,
  now = new Date(),
  store: AccountStore = dynamoAccountStore,
): Promise<AccountView> => retryingLostRaces(() => cancelAccountOnce(scope, accountId, now, store));

async function cancelAccountOnce(
  scope: CompanyScope,
  accountId: string,
  now: Date,
  store: AccountStore,
): Promise<AccountView> {
  const { company, account } = await store.loadContext(scope.partnerId, scope.companyId, {
    accountId,
  });
  assertCompanyAdminMayWrite(actsAsCompanyAdmin(scope), company, account);
  const subAccounts =
    account && cancellationPending(account) ? await store.liveSubAccountsOf(account) : [];
  const plan = planAccountCancellation({ account, company, subAccounts, now });
  if (plan.alreadyCancelled) return toAccountView(plan.account, companyAddOns(plan.company));
  const view = toAccountView(plan.cancelled, companyAddOns(plan.company));
  await store.commitCancellation(plan, {
    audit: auditEntry(scope, now, plan.audit),
    event: newEvent(scope, now, 'account.cancelled', aboutAccount(plan.cancelled), {
      account: view,
    }),
  });
  return view;
}

/**
 * Adds (`suspend`) or takes away (`reactivate`) one reason of the account's own suspension
 * (SPEC §2.8), with the e-mail to its contact and the event, in one transaction. A reason already
 * there (or not there to take away) writes nothing and answers the account as it is.
 */
export const changeAccountSuspension = (
  scope: CompanyScope,
  accountId: string,
  action: SuspensionAction,
  body: SuspensionBody,
  now = new Date(),
  store: AccountStore = dynamoAccountStore,
): Promise<AccountView> =>
  retryingLostRaces(async () => {
    const { company, account } = await store.loadContext(scope.partnerId, scope.companyId, {
      accountId,
    });
    const plan = planAccountSuspension({
      target: account,
      company,
      reason: body.reason,
      action,
      now,
    });
    // planAccountSuspension has refused a missing company already.
    const addOns = companyAddOns(company as NonNullable<typeof company>);
    if (plan.unchanged) return toAccountView(plan.target, addOns);
    const view = toAccountView(plan.after, addOns);
    const kind = action === 'suspend' ? 'suspended' : 'reactivated';
    await store.commitSuspension(plan, {
      reply: view,
      message: accountSuspensionMessage(scope, plan.after, kind, body.reason, plan.at),
      audit: auditEntry(scope, now, {
        action: `account.${action}`,
        targetType: 'account',
        targetId: plan.after.id,
        companyId: plan.after.companyId,
        details: { reason: body.reason, reasons: plan.after.suspension?.reasons ?? [] },
      }),
      event: newEvent(
        scope,
        now,
        action === 'suspend' ? 'account.suspended' : 'account.reactivated',
        aboutAccount(plan.after),
        { account: view, reason: body.reason },
      ),
    });
    return view;
  });
