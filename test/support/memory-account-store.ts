/**
 * The account use cases' store in memory, for unit tests. A commit is one transaction as the
 * DynamoDB store writes it: the same items, each with the same condition and the same error
 * when it fails (the first failing item in the transaction's order decides), all checked
 * against the state before any is applied, and nothing applied unless all hold.
 */
import {
  accountCancelled,
  companyCancelled,
  conflict,
  notFound,
  parentNotActive,
  planAlreadyHasParent,
  poolExceeded,
  tooManySubAccounts,
  usernameTaken,
} from '#lib/errors.ts';
import type { Account, Company, Contact, ListedTotals } from '#lib/model.ts';
import type {
  AccountContextIds,
  AccountEffects,
  AccountStore,
} from '#lib/provisioning/account-store.ts';
import type { AccountCancellationPlan, AccountChangePlan } from '#lib/rules/account-change.ts';
import { accountAlert } from '#lib/rules/alert-levels.ts';
import type { NewAccountPlan, PoolChange } from '#lib/rules/new-account.ts';
import type { PlanName } from '#lib/rules/plans.ts';
import type { AuditEntry } from '#lib/store/audit.ts';
import type { DomainEvent } from '#lib/store/events.ts';
import type { OutboxMessage } from '#lib/store/outbox.ts';
import { MAX_TRANSACTION_ITEMS } from '#lib/store/table.ts';

/** One item of a transaction: the error its condition gives on the state as it was, or none. */
interface Write {
  refused(): Error | null;
  apply(): void;
}

const copy = <T>(value: T): T => structuredClone(value);

export class MemoryAccountStore implements AccountStore {
  private readonly companies = new Map<string, Company>();
  private readonly accounts = new Map<string, Account>();
  private readonly contacts = new Map<string, Contact>();
  /** Global and never released, as the table's username markers. */
  private readonly usernames = new Set<string>();
  private readonly parentMarkers = new Map<string, string>();
  readonly outbox: OutboxMessage[] = [];
  readonly auditLog: AuditEntry[] = [];
  readonly events: DomainEvent[] = [];

  /** Stores a partner's records as a test's starting point, with the markers they hold. */
  seed(
    partnerId: string,
    records: { company?: Company; accounts?: Account[]; contacts?: Contact[] },
  ): void {
    const { company, accounts = [], contacts = [] } = records;
    if (company) this.companies.set(companyKey(partnerId, company.id), copy(company));
    for (const contact of contacts) {
      this.contacts.set(childKey(partnerId, contact.companyId, contact.id), copy(contact));
    }
    for (const account of accounts) {
      this.accounts.set(keyOf(account), copy(account));
      this.usernames.add(account.username);
      if (account.kind === 'parent' && account.status !== 'cancelled') {
        this.parentMarkers.set(markerKey(account, account.plan), account.id);
      }
    }
  }

  /** What a usage report does to one account: its figure and the company's total. */
  reportUsage(partnerId: string, companyId: string, accountId: string, usedMb: number): void {
    const account = this.accounts.get(childKey(partnerId, companyId, accountId));
    const company = this.companies.get(companyKey(partnerId, companyId));
    if (!account || !company) throw new Error(`No account ${accountId} to report usage of`);
    const delta = usedMb - account.usedMb;
    account.usedMb = usedMb;
    account.alertLevel = accountAlert(account).level;
    company.usedMb += delta;
    if (company.listed && account.status !== 'cancelled') company.listed.usedMb += delta;
  }

  async loadContext(partnerId: string, companyId: string, ids: AccountContextIds) {
    const find = <T>(map: Map<string, T>, id: string | undefined) =>
      id === undefined ? null : copy(map.get(childKey(partnerId, companyId, id)) ?? null);
    return {
      company: copy(this.companies.get(companyKey(partnerId, companyId)) ?? null),
      account: find(this.accounts, ids.accountId),
      parent: find(this.accounts, ids.parentId),
      contact: find(this.contacts, ids.contactId),
      planHasParent:
        ids.parentOfPlan !== undefined &&
        this.parentMarkers.has(`${partnerId}|${companyId}|${ids.parentOfPlan}`),
    };
  }

  async liveSubAccountsOf(parent: Account): Promise<Account[]> {
    if (parent.kind !== 'parent' || parent.subAccountCount === 0) return [];
    return [...this.accounts.values()]
      .filter((account) => account.parentId === parent.id && account.status !== 'cancelled')
      .map(copy);
  }

  async commitNewAccount(
    plan: NewAccountPlan,
    effects: { welcome: OutboxMessage; audit: AuditEntry; event: DomainEvent; reply: unknown },
  ): Promise<void> {
    const { account } = plan;
    const writes: Write[] = [
      this.allocation(plan.company, plan.pool, plan.at),
      this.put(this.accounts, keyOf(account), account, () => conflict()),
      {
        refused: () =>
          this.usernames.has(account.username) ? usernameTaken(account.username) : null,
        apply: () => this.usernames.add(account.username),
      },
    ];
    if (plan.claimsParentMarker) writes.push(this.claimMarker(account, plan.claimsParentMarker));
    writes.push(
      this.record(this.outbox, effects.welcome),
      this.record(this.auditLog, effects.audit),
      this.record(this.events, effects.event),
    );
    if (plan.parent) writes.push(this.attach(plan.parent));
    if (plan.newContact) {
      const { contact } = plan;
      const key = childKey(account.partnerId, contact.companyId, contact.id);
      writes.push(this.put(this.contacts, key, contact, () => conflict()));
    }
    this.transact(writes);
  }

  async commitChange(plan: AccountChangePlan, effects: AccountEffects): Promise<void> {
    const named = plan.changes[0]?.before as Account;
    const writes: Write[] = plan.changes.map(({ before, after }) => this.save(before, after));
    if (plan.parentMarker) {
      writes.push(this.releaseMarker(named, plan.parentMarker.release));
      writes.push(this.claimMarker(named, plan.parentMarker.claim));
    }
    if (plan.pool) writes.push(this.allocation(plan.company, plan.pool, plan.at));
    writes.push(this.record(this.auditLog, effects.audit), this.record(this.events, effects.event));
    for (const event of effects.alerts?.events ?? []) writes.push(this.record(this.events, event));
    for (const message of effects.alerts?.messages ?? []) {
      writes.push(this.record(this.outbox, message));
    }
    this.assertFitsOneTransaction(writes, plan.changes.length);
    this.transact(writes);
  }

  async commitCancellation(plan: AccountCancellationPlan, effects: AccountEffects): Promise<void> {
    const named = plan.accounts[0] as Account;
    const writes: Write[] = [
      ...plan.accounts.map((account) => this.cancel(account, plan.at)),
      this.allocation(plan.company, plan.pool, plan.at),
      this.record(this.auditLog, effects.audit),
      this.record(this.events, effects.event),
    ];
    if (plan.releasesParentMarker) {
      writes.push(this.releaseMarker(named, plan.releasesParentMarker));
    }
    if (plan.detachesFromParent) writes.push(this.detach(named));
    this.assertFitsOneTransaction(writes, plan.accounts.length);
    this.transact(writes);
  }

  async commitSuspension(
    change: { before: Account; after: Account; at: string },
    effects: AccountEffects & { message: OutboxMessage; reply: unknown },
  ): Promise<void> {
    const key = keyOf(change.before);
    this.transact([
      {
        // As saveAccountSuspension: the account as read, and not cancelled.
        refused: () => {
          const current = this.accounts.get(key);
          if (!current) return notFound('Account');
          if (current.status === 'cancelled') return accountCancelled();
          return current.updatedAt === change.before.updatedAt ? null : conflict();
        },
        apply: () => {
          const current = this.accounts.get(key) as Account;
          current.suspension = copy(change.after.suspension ?? null);
          current.updatedAt = change.at;
        },
      },
      this.record(this.outbox, effects.message),
      this.record(this.auditLog, effects.audit),
      this.record(this.events, effects.event),
    ]);
  }

  private transact(writes: Write[]): void {
    for (const write of writes) {
      const refused = write.refused();
      if (refused) throw refused;
    }
    for (const write of writes) write.apply();
  }

  /** As the DynamoDB store: a group too large for one transaction is refused before it. */
  private assertFitsOneTransaction(writes: Write[], groupSize: number): void {
    if (writes.length <= MAX_TRANSACTION_ITEMS) return;
    const maxSubAccounts = MAX_TRANSACTION_ITEMS - (writes.length - groupSize) - 1;
    throw tooManySubAccounts(groupSize - 1, maxSubAccounts);
  }

  private put<T>(map: Map<string, T>, key: string, value: T, onExists: () => Error): Write {
    return {
      refused: () => (map.has(key) ? onExists() : null),
      apply: () => map.set(key, copy(value)),
    };
  }

  private record<T>(log: T[], entry: T): Write {
    return { refused: () => null, apply: () => log.push(copy(entry)) };
  }

  /** The pool counter: growth needs the company active and the pool's free space. */
  private allocation(company: Company, change: PoolChange, at: string): Write {
    const key = companyKey(company.partnerId, company.id);
    const grows = change.pooled && change.pooledDeltaMb > 0;
    return {
      refused: () => {
        const current = this.companies.get(key);
        if (!current) return notFound('Company');
        if (change.requireActive && current.status !== 'active') return companyCancelled();
        const free = (current.quotaMb ?? 0) - current.allocatedMb;
        if (grows && free < change.pooledDeltaMb) return poolExceeded(free, change.pooledDeltaMb);
        return null;
      },
      apply: () => {
        const current = this.companies.get(key) as Company;
        current.accountCount += change.accountCountDelta;
        current.updatedAt = at;
        if (change.pooled) current.allocatedMb += change.pooledDeltaMb;
        if (current.listed) current.listed = addTotals(current.listed, change.listed);
      },
    };
  }

  private claimMarker(account: Account, plan: PlanName): Write {
    const key = markerKey(account, plan);
    return {
      refused: () => (this.parentMarkers.has(key) ? planAlreadyHasParent(plan) : null),
      apply: () => this.parentMarkers.set(key, account.id),
    };
  }

  private releaseMarker(account: Account, plan: PlanName): Write {
    return {
      refused: () => null,
      apply: () => this.parentMarkers.delete(markerKey(account, plan)),
    };
  }

  /** A sub-account is counted on its parent only while the parent is active. */
  private attach(parent: Account): Write {
    const key = keyOf(parent);
    return {
      refused: () => (this.accounts.get(key)?.status === 'active' ? null : parentNotActive()),
      apply: () => {
        (this.accounts.get(key) as Account).subAccountCount += 1;
      },
    };
  }

  private detach(sub: Account): Write {
    const key = childKey(sub.partnerId, sub.companyId, sub.parentId as string);
    return {
      refused: () => (this.accounts.has(key) ? null : conflict()),
      apply: () => {
        (this.accounts.get(key) as Account).subAccountCount -= 1;
      },
    };
  }

  /** The mutable fields, on the condition that the account is as read (nor gained a sub). */
  private save(before: Account, after: Account): Write {
    const key = keyOf(before);
    return {
      refused: () => {
        const current = this.accounts.get(key);
        if (!current) return notFound('Account');
        const unchanged =
          current.updatedAt === before.updatedAt &&
          current.subAccountCount === before.subAccountCount &&
          current.usedMb === before.usedMb &&
          (current.alertLevel ?? 0) === (before.alertLevel ?? 0);
        return unchanged ? null : conflict();
      },
      apply: () => {
        const current = this.accounts.get(key) as Account;
        current.plan = after.plan;
        current.status = after.status;
        current.hardQuotaMb = after.hardQuotaMb;
        current.contactId = after.contactId;
        current.trialEndsAt = after.trialEndsAt;
        current.trialStage = after.trialStage;
        current.updatedAt = after.updatedAt;
        current.alertLevel = after.alertLevel ?? 0;
      },
    };
  }

  /** Cancelled, on the condition that it is as read: the size and usage it is uncounted with. */
  private cancel(account: Account, at: string): Write {
    const key = keyOf(account);
    return {
      refused: () => {
        const current = this.accounts.get(key);
        const unchanged =
          current !== undefined &&
          current.status !== 'cancelled' &&
          current.updatedAt === account.updatedAt &&
          current.usedMb === account.usedMb;
        return unchanged ? null : conflict();
      },
      apply: () => {
        const current = this.accounts.get(key) as Account;
        current.status = 'cancelled';
        current.updatedAt = at;
        current.trialStage = null;
      },
    };
  }
}

const companyKey = (partnerId: string, companyId: string) => `${partnerId}|${companyId}`;
/** An item in a company's partition: an account or a contact. */
const childKey = (partnerId: string, companyId: string, id: string) =>
  `${partnerId}|${companyId}|${id}`;
const keyOf = (account: Account) => childKey(account.partnerId, account.companyId, account.id);
const markerKey = (account: Account, plan: PlanName) =>
  `${account.partnerId}|${account.companyId}|${plan}`;

const addTotals = (totals: ListedTotals, delta: ListedTotals): ListedTotals => ({
  sizeMb: totals.sizeMb + delta.sizeMb,
  unlimited: totals.unlimited + delta.unlimited,
  usedMb: totals.usedMb + delta.usedMb,
});
