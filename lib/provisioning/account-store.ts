/**
 * What the account use cases need of the store: one read of what a request names, the live
 * sub-accounts of a parent, and each plan written as one transaction whose conditions hold
 * what the read could only tell early. The DynamoDB store is lib/store/account-store.ts; the
 * use-case tests also run against an in-memory one that keeps the same conditions.
 */
import type { Account } from '#lib/model.ts';
import type { AccountCancellationPlan, AccountChangePlan } from '#lib/rules/account-change.ts';
import type { NewAccountPlan } from '#lib/rules/new-account.ts';
import type { AccountContext, AccountContextIds } from '#lib/store/accounts.ts';
import type { AlertEffects } from '#lib/store/alerts.ts';
import type { AuditEntry } from '#lib/store/audit.ts';
import type { DomainEvent } from '#lib/store/events.ts';
import type { OutboxMessage } from '#lib/store/outbox.ts';

export type { AccountContext, AccountContextIds };

/** What a change writes besides the accounts: its audit entry, its event and its quota alerts. */
export interface AccountEffects {
  audit: AuditEntry;
  event: DomainEvent;
  alerts?: AlertEffects;
}

export interface AccountStore {
  /** The company with the account, parent and contact the ids name, and the plan's marker. */
  loadContext(
    partnerId: string,
    companyId: string,
    ids: AccountContextIds,
  ): Promise<AccountContext>;
  /** A parent's sub-accounts that are not cancelled. */
  liveSubAccountsOf(parent: Account): Promise<Account[]>;
  /**
   * The account (its secrets hashed), its username and reference, its contact if new, its
   * welcome e-mail, audit entry and event; `reply` completes the request's idempotency record
   * with it.
   */
  commitNewAccount(
    plan: NewAccountPlan,
    effects: { welcome: OutboxMessage; audit: AuditEntry; event: DomainEvent; reply: unknown },
  ): Promise<void>;
  /** Each account on the condition that it is as read; the pool on the condition it fits. */
  commitChange(plan: AccountChangePlan, effects: AccountEffects): Promise<void>;
  commitCancellation(plan: AccountCancellationPlan, effects: AccountEffects): Promise<void>;
  /**
   * The account's own suspension on the condition that it is as read and not cancelled, with
   * the e-mail to its contact, its audit entry and event; `reply` completes the request's
   * idempotency record with it.
   */
  commitSuspension(
    change: { before: Account; after: Account; at: string },
    effects: AccountEffects & { message: OutboxMessage; reply: unknown },
  ): Promise<void>;
}
