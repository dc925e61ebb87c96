/**
 * The account use cases' store (lib/provisioning/account-store.ts) on DynamoDB: each plan is
 * one TransactWriteItems request, its conditions those of the step builders it is made of.
 */
import { tooManySubAccounts } from '#lib/errors.ts';
import type { Account } from '#lib/model.ts';
import type { AccountStore } from '#lib/provisioning/account-store.ts';
import {
  attachSubAccount,
  cancelAccountStep,
  claimParentMarker,
  detachSubAccount,
  loadAccountContext,
  putNewAccount,
  releaseParentMarker,
  saveAccount,
  saveAccountSuspension,
  subAccountsOf,
} from './accounts.ts';
import { alertSteps } from './alerts.ts';
import { auditStep } from './audit.ts';
import { changeAllocation } from './companies.ts';
import { putNewContact } from './contacts.ts';
import { eventStep } from './events.ts';
import { outboxStep } from './outbox.ts';
import { MAX_TRANSACTION_ITEMS, transact, type WriteStep } from './table.ts';

/**
 * The parent and its sub-accounts change together or not at all: a group too large for one
 * transaction is refused rather than left half-changed.
 */
function assertFitsOneTransaction(steps: WriteStep[], group: Account[]): void {
  if (steps.length <= MAX_TRANSACTION_ITEMS) return;
  const maxSubAccounts = MAX_TRANSACTION_ITEMS - (steps.length - group.length) - 1;
  throw tooManySubAccounts(group.length - 1, maxSubAccounts);
}

export const dynamoAccountStore: AccountStore = {
  loadContext: loadAccountContext,

  async liveSubAccountsOf(parent) {
    return (await subAccountsOf(parent)).filter((sub) => sub.status !== 'cancelled');
  },

  async commitNewAccount(plan, { welcome, audit, event, reply }) {
    const { account, company } = plan;
    const steps: WriteStep[] = [
      changeAllocation(company, { ...plan.pool, at: plan.at }),
      ...putNewAccount(account),
      outboxStep(welcome),
      auditStep(account.partnerId, audit),
      eventStep(event),
    ];
    if (plan.parent) steps.push(attachSubAccount(plan.parent));
    if (plan.newContact) steps.push(putNewContact(account.partnerId, plan.contact));
    await transact(steps, { reply });
  },

  async commitChange(plan, { audit, event, alerts }) {
    const accounts = plan.changes.map((change) => change.before);
    const named = accounts[0] as Account;
    const steps: WriteStep[] = plan.changes.map(({ before, after }) => saveAccount(before, after));
    if (plan.parentMarker) {
      steps.push(
        releaseParentMarker(named, plan.parentMarker.release),
        claimParentMarker(named, plan.parentMarker.claim),
      );
    }
    if (plan.pool) steps.push(changeAllocation(plan.company, { ...plan.pool, at: plan.at }));
    steps.push(auditStep(named.partnerId, audit), eventStep(event), ...alertSteps(alerts));
    assertFitsOneTransaction(steps, accounts);
    await transact(steps);
  },

  async commitCancellation(plan, { audit, event }) {
    const named = plan.accounts[0] as Account;
    const steps: WriteStep[] = [
      ...plan.accounts.map((account) => cancelAccountStep(account, plan.at)),
      changeAllocation(plan.company, { ...plan.pool, at: plan.at }),
      auditStep(named.partnerId, audit),
      eventStep(event),
    ];
    if (plan.releasesParentMarker)
      steps.push(releaseParentMarker(named, plan.releasesParentMarker));
    if (plan.detachesFromParent) steps.push(detachSubAccount(named));
    assertFitsOneTransaction(steps, plan.accounts);
    await transact(steps);
  },

  async commitSuspension({ before, after, at }, { audit, event, message, reply }) {
    await transact(
      [
        saveAccountSuspension(before, after.suspension ?? null, at),
        outboxStep(message),
        auditStep(before.partnerId, audit),
        eventStep(event),
      ],
      { reply },
    );
  },
};
