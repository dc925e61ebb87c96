/**
 * The account use cases (create, change, cancel) against a store: registered once here and
 * run against the in-memory store (test/unit) and DynamoDB Local (test/integration), so both
 * stores answer every case the same way. What a case checks afterwards it reads back through
 * the same store.
 */
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import {
  type Account,
  type Company,
  type Contact,
  companyAddOns,
  toAccountView,
} from '#lib/model.ts';
import type { AccountStore } from '#lib/provisioning/account-store.ts';
import {
  cancelAccount,
  changeAccountSuspension,
  createAccount,
  updateAccount,
} from '#lib/provisioning/accounts.ts';
import { auditEntry } from '#lib/provisioning/audit.ts';
import { aboutAccount, newEvent } from '#lib/provisioning/events.ts';
import { welcomeMessage } from '#lib/provisioning/messages.ts';
import type { CompanyScope } from '#lib/provisioning/scope.ts';
import { planAccountChange } from '#lib/rules/account-change.ts';
import { type NewAccountPlan, planNewAccount } from '#lib/rules/new-account.ts';
import type { PlanName } from '#lib/rules/plans.ts';
import { firstPendingStage, trialEndsAt } from '#lib/rules/trials.ts';
import type { CreateAccountBody } from '#lib/schemas.ts';
import type { DomainEvent } from '#lib/store/events.ts';

export interface CompanyFixture {
  scope: CompanyScope;
  company: Company;
  admin: Account;
  adminContact: Contact;
}

export interface AccountStoreHarness {
  store: AccountStore;
  /** A company (a pool of `quotaMb`, or none) whose admin parent holds `adminMb` of it. */
  newCompany(options: {
    quotaMb: number | null;
    adminMb?: number;
    adminPlan: PlanName;
    now: Date;
  }): Promise<CompanyFixture>;
  /** A further contact of the company. */
  newContact(scope: CompanyScope, email: string): Promise<Contact>;
  /** What the storage service's usage report does to the account. */
  reportUsage(scope: CompanyScope, accountId: string, usedMb: number): Promise<void>;
  /** The events the partner's changes wrote, oldest first. */
  events(scope: CompanyScope): Promise<DomainEvent[]>;
}

const GB = 1024;
const DAY = 86_400_000;
/** Far from the wall clock, so no trial job of another test finds these trials due. */
const T0 = Date.parse('2032-05-01T10:00:00.000Z');
const at = (days: number, extraMs = 0) => new Date(T0 + days * DAY + extraMs);

let sequence = 0;
const username = (prefix: string) =>
  `${prefix}.${Date.now().toString(36)}.${(sequence++).toString(36)}.${Math.random().toString(36).slice(2, 6)}`;

export function accountUseCaseSuite(name: string, harness: () => AccountStoreHarness): void {
  describe(`account use cases (${name})`, () => {
    /** A 50 GB pool whose admin (select) holds 10 GB: 40 GB are free. */
    const pooledCompany = (h: AccountStoreHarness) =>
      h.newCompany({ quotaMb: 50 * GB, adminMb: 10 * GB, adminPlan: 'select', now: at(0) });

    const read = async (h: AccountStoreHarness, scope: CompanyScope, accountId?: string) => {
      const context = await h.store.loadContext(scope.partnerId, scope.companyId, { accountId });
      return { company: context.company as Company, account: context.account as Account };
    };

    const create = (
      h: AccountStoreHarness,
      scope: CompanyScope,
      body: Omit<CreateAccountBody, 'username'>,
      now = at(0, 1000),
    ) => createAccount(scope, { username: username('user'), ...body }, now, h.store);

    describe('creating an account', () => {
      it('gives a new parent the admin contact by default and takes its size from the pool', async () => {
        const h = harness();
        const { scope, adminContact } = await pooledCompany(h);

        const created = await create(h, scope, { plan: 'basic' });

        expect(created.account).toMatchObject({
          kind: 'parent',
          plan: 'basic',
          hardQuotaMb: 5 * GB,
        });
        expect(created.contact.id).toBe(adminContact.id);
        const { company } = await read(h, scope);
        expect(company).toMatchObject({ allocatedMb: 15 * GB, accountCount: 2 });
      });

      it('makes a new contact with the account, or uses the existing one it names', async () => {
        const h = harness();
        const { scope } = await pooledCompany(h);
        const shared = await h.newContact(scope, 'sam@hightech.example');

        const fresh = await create(h, scope, {
          plan: 'basic',
          contact: { fullName: 'Nina New', email: 'nina@hightech.example' },
        });
        const reusing = await create(h, scope, { plan: 'trial', contactId: shared.id });

        expect(fresh.account.contactId).toBe(fresh.contact.id);
        const stored = await h.store.loadContext(scope.partnerId, scope.companyId, {
          contactId: fresh.contact.id,
        });
        expect(stored.contact).toMatchObject({ email: 'nina@hightech.example' });
        expect(reusing.contact).toMatchObject({ id: shared.id, email: 'sam@hightech.example' });
      });

      it('refuses a contact id the company does not have, writing nothing', async () => {
        const h = harness();
        const { scope } = await pooledCompany(h);
        const other = await pooledCompany(h);

        await expect(
          create(h, scope, { plan: 'basic', contactId: other.adminContact.id }),
        ).rejects.toMatchObject({ code: 'UNKNOWN_CONTACT' });
        expect((await read(h, scope)).company).toMatchObject({
          allocatedMb: 10 * GB,
          accountCount: 1,
        });
      });

      it("gives a sub-account its parent's plan and trial and counts it on the parent", async () => {
        const h = harness();
        const { scope } = await pooledCompany(h);
        const trial = await create(h, scope, { plan: 'trial', trialDays: 20 });

        const sub = await create(h, scope, { parentId: trial.account.id });

        expect(sub.account).toMatchObject({
          kind: 'sub',
          parentId: trial.account.id,
          plan: 'trial',
          hardQuotaMb: 512,
          trialEndsAt: trial.account.trialEndsAt,
        });
        const { account: parent } = await read(h, scope, trial.account.id);
        expect(parent.subAccountCount).toBe(1);
        expect((await read(h, scope, sub.account.id)).account.trialStage).toBeNull();
      });

      it('refuses a parent that is unknown, a sub-account or not active', async () => {
        const h = harness();
        const { scope, admin } = await pooledCompany(h);
        const sub = await create(h, scope, { parentId: admin.id });
        const gone = await create(h, scope, { plan: 'basic' });
        await cancelAccount(scope, gone.account.id, at(0, 2000), h.store);

        await expect(
          create(h, scope, { parentId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }),
        ).rejects.toMatchObject({
          code: 'UNKNOWN_PARENT',
        });
        await expect(create(h, scope, { parentId: sub.account.id })).rejects.toMatchObject({
          code: 'NOT_A_PARENT',
        });
        await expect(create(h, scope, { parentId: gone.account.id })).rejects.toMatchObject({
          code: 'PARENT_NOT_ACTIVE',
        });
      });

      it('allows one parent per plan and refuses a pool overdrawn, saying what is free', async () => {
        const h = harness();
        const { scope } = await pooledCompany(h);

        await expect(create(h, scope, { plan: 'select' })).rejects.toMatchObject({
          code: 'PLAN_ALREADY_HAS_PARENT',
        });
        await expect(
          create(h, scope, { plan: 'basic', hardQuotaMb: 50 * GB }),
        ).rejects.toMatchObject({
          code: 'POOL_EXCEEDED',
          extensions: { freeMb: 40 * GB },
        });
      });

      it('refuses a username that is taken, in the transaction', async () => {
        const h = harness();
        const { scope, admin } = await pooledCompany(h);

        await expect(
          createAccount(scope, { username: admin.username, parentId: admin.id }, at(1), h.store),
        ).rejects.toMatchObject({ code: 'USERNAME_TAKEN' });
        expect((await read(h, scope, admin.id)).account.subAccountCount).toBe(0);
        expect((await read(h, scope)).company.allocatedMb).toBe(10 * GB);
      });

      it('holds the pool and the one-parent marker as conditions of the write, not only of the read', async () => {
        const h = harness();
        const { scope } = await pooledCompany(h);
        const context = await h.store.loadContext(scope.partnerId, scope.companyId, {
          contactId: scope.companyId,
          parentOfPlan: 'basic',
        });
        const planFromTheRead = (hardQuotaMb: number) =>
          planNewAccount({
            partnerId: scope.partnerId,
            companyId: scope.companyId,
            body: { username: username('race'), plan: 'basic', hardQuotaMb },
            ids: { account: ulid(), contact: ulid() },
            company: context.company,
            parent: null,
            contact: context.contact,
            planHasParent: context.planHasParent,
            ladder: { fineIncrements: false },
            now: at(1),
          });
        const commit = (plan: NewAccountPlan) =>
          h.store.commitNewAccount(plan, {
            welcome: welcomeMessage(scope, plan.account),
            audit: auditEntry(scope, at(1), plan.audit),
            event: newEvent(scope, at(1), 'account.created', aboutAccount(plan.account), {
              account: toAccountView(plan.account, companyAddOns(plan.company)),
            }),
            reply: undefined,
          });
        // Each fits the 40 GB the read saw free; together they do not, and share one plan.
        const first = planFromTheRead(25 * GB);
        const second = planFromTheRead(25 * GB);
        const third = planFromTheRead(10 * GB);

        await commit(first);

        await expect(commit(second)).rejects.toMatchObject({
          code: 'POOL_EXCEEDED',
          extensions: { freeMb: 15 * GB },
        });
        await expect(commit(third)).rejects.toMatchObject({ code: 'PLAN_ALREADY_HAS_PARENT' });
        expect((await read(h, scope)).company).toMatchObject({
          allocatedMb: 35 * GB,
          accountCount: 2,
        });
      });
    });

    describe('changing an account', () => {
      it('resizes within the pool and never below usage', async () => {
        const h = harness();
        const { scope } = await pooledCompany(h);
        const { account } = await create(h, scope, { plan: 'basic' });
        await h.reportUsage(scope, account.id, 8000);

        await expect(
          updateAccount(scope, account.id, { hardQuotaMb: 5 * GB }, at(1), h.store),
        ).rejects.toMatchObject({ code: 'BELOW_USAGE' });
        await expect(
          updateAccount(scope, account.id, { hardQuotaMb: 50 * GB }, at(1), h.store),
        ).rejects.toMatchObject({ code: 'POOL_EXCEEDED' });
        const resized = await updateAccount(
          scope,
          account.id,
          { hardQuotaMb: 10 * GB },
          at(1),
          h.store,
        );

        expect(resized).toMatchObject({ hardQuotaMb: 10 * GB, usedMb: 8000 });
        expect((await read(h, scope)).company.allocatedMb).toBe(20 * GB);
      });

      it('converts a trial parent with its sub-accounts and moves the plan marker', async () => {
        const h = harness();
        const { scope } = await pooledCompany(h);
        const trial = await create(h, scope, { plan: 'trial' });
        const sub = await create(h, scope, { parentId: trial.account.id });

        const converted = await updateAccount(
          scope,
          trial.account.id,
          { plan: 'basic', hardQuotaMb: 10 * GB },
          at(2),
          h.store,
        );

        expect(converted).toMatchObject({ plan: 'basic', trialEndsAt: null, hardQuotaMb: 10 * GB });
        expect((await read(h, scope, sub.account.id)).account).toMatchObject({
          plan: 'basic',
          hardQuotaMb: 5 * GB,
          trialEndsAt: null,
          trialStage: null,
        });
        expect((await read(h, scope)).company.allocatedMb).toBe(25 * GB);
        await expect(create(h, scope, { plan: 'basic' })).rejects.toMatchObject({
          code: 'PLAN_ALREADY_HAS_PARENT',
        });
        expect((await create(h, scope, { plan: 'trial' })).account.kind).toBe('parent');
      });

      it('extends a trial from its creation, the sub-accounts with it', async () => {
        const h = harness();
        const { scope } = await pooledCompany(h);
        const trial = await create(h, scope, { plan: 'trial' }, at(0));
        const sub = await create(h, scope, { parentId: trial.account.id }, at(0, 1));

        const extended = await updateAccount(
          scope,
          trial.account.id,
          { trialDays: 60 },
          at(24),
          h.store,
        );

        const endsAt = trialEndsAt(at(0).toISOString(), 60);
        expect(extended.trialEndsAt).toBe(endsAt);
        expect((await read(h, scope, trial.account.id)).account.trialStage).toBe(
          firstPendingStage(endsAt, at(24).toISOString()),
        );
        expect((await read(h, scope, sub.account.id)).account).toMatchObject({
          trialEndsAt: endsAt,
          trialStage: null,
        });
      });

      it('refuses to extend a sub-account or an account that is no trial', async () => {
        const h = harness();
        const { scope, admin } = await pooledCompany(h);
        const trial = await create(h, scope, { plan: 'trial' });
        const sub = await create(h, scope, { parentId: trial.account.id });

        await expect(
          updateAccount(scope, sub.account.id, { trialDays: 40 }, at(1), h.store),
        ).rejects.toMatchObject({ code: 'SUB_ACCOUNT_FOLLOWS_PARENT' });
        await expect(
          updateAccount(scope, admin.id, { trialDays: 40 }, at(1), h.store),
        ).rejects.toMatchObject({
          code: 'NOT_A_TRIAL',
        });
      });

      it('changes the contact to one of the company, and refuses one it does not have', async () => {
        const h = harness();
        const { scope, admin } = await pooledCompany(h);
        const contact = await h.newContact(scope, 'ops@hightech.example');

        const changed = await updateAccount(
          scope,
          admin.id,
          { contactId: contact.id },
          at(1),
          h.store,
        );

        expect(changed.contactId).toBe(contact.id);
        await expect(
          updateAccount(
            scope,
            admin.id,
            { contactId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' },
            at(2),
            h.store,
          ),
        ).rejects.toMatchObject({ code: 'UNKNOWN_CONTACT' });
        expect((await read(h, scope, admin.id)).account.contactId).toBe(contact.id);
      });

      it('refuses to write a change planned from a read another change has overtaken', async () => {
        const h = harness();
        const { scope, company, admin } = await pooledCompany(h);
        const stale = planAccountChange({
          account: admin,
          company,
          subAccounts: [],
          contact: null,
          planHasParent: false,
          body: { hardQuotaMb: 25 * GB },
          ladder: { fineIncrements: false },
          now: at(1),
        });
        await updateAccount(scope, admin.id, { hardQuotaMb: 5 * GB }, at(1), h.store);

        await expect(
          h.store.commitChange(stale, {
            audit: auditEntry(scope, at(1), stale.audit),
            event: newEvent(scope, at(1), stale.eventType, aboutAccount(stale.account), {
              account: toAccountView(stale.account, companyAddOns(stale.company)),
            }),
          }),
        ).rejects.toMatchObject({ code: 'CONFLICT' });
        expect((await read(h, scope)).company.allocatedMb).toBe(5 * GB);
      });
    });

    describe('events', () => {
      it('are written with each change, the account as written, and not by a refused one', async () => {
        const h = harness();
        const { scope } = await pooledCompany(h);
        const trial = await create(h, scope, { plan: 'trial' });
        const id = trial.account.id;
        const extended = await updateAccount(scope, id, { trialDays: 60 }, at(1), h.store);
        const converted = await updateAccount(scope, id, { plan: 'basic' }, at(2), h.store);
        await expect(
          updateAccount(scope, id, { hardQuotaMb: 100 * GB }, at(3), h.store),
        ).rejects.toMatchObject({ code: 'POOL_EXCEEDED' });
        const cancelled = await cancelAccount(scope, id, at(4), h.store);

        const events = (await h.events(scope)).filter((event) => event.accountId === id);

        expect(events.map((event) => [event.type, event.data])).toEqual([
          ['account.created', { account: trial.account }],
          ['trial.extended', { account: extended }],
          ['trial.converted', { account: converted }],
          ['account.cancelled', { account: cancelled }],
        ]);
        for (const event of events) {
          expect(event).toMatchObject({
            partnerId: scope.partnerId,
            companyId: scope.companyId,
            actor: scope.actor,
          });
        }
      });
    });

    describe('quota alerts of a change', () => {
      it('a smaller quota raises the level with its event; a larger one lowers it again', async () => {
        const h = harness();
        const { scope, admin } = await pooledCompany(h);
        const sub = await create(h, scope, { parentId: admin.id, hardQuotaMb: 10 * GB });
        const id = sub.account.id;
        await h.reportUsage(scope, id, 4500);

        const smaller = await updateAccount(scope, id, { hardQuotaMb: 5 * GB }, at(1), h.store);
        const same = await updateAccount(scope, id, { contactId: admin.contactId }, at(2), h.store);
        const larger = await updateAccount(scope, id, { hardQuotaMb: 10 * GB }, at(3), h.store);

        expect(smaller.alertLevel).toBe(80);
        expect(same.alertLevel).toBe(80);
        expect(larger.alertLevel).toBe(0);
        expect((await read(h, scope, id)).account.alertLevel).toBe(0);
        const quota = (await h.events(scope)).filter(
          (event) => event.accountId === id && event.type.startsWith('quota.'),
        );
        expect(quota.map((event) => [event.type, event.data])).toEqual([
          [
            'quota.threshold_crossed',
            {
              subject: 'account',
              level: 80,
              previousLevel: 0,
              usedMb: 4500,
              quotaMb: 5 * GB,
              percentUsed: 87.9,
            },
          ],
          [
            'quota.recovered',
            {
              subject: 'account',
              level: 0,
              previousLevel: 80,
              usedMb: 4500,
              quotaMb: 10 * GB,
              percentUsed: 43.9,
            },
          ],
        ]);
      });

      it('a conversion takes effect at once: a full trial given its paid quota recovers', async () => {
        const h = harness();
        const { scope } = await pooledCompany(h);
        const trial = await create(h, scope, { plan: 'trial' });
        const id = trial.account.id;
        await h.reportUsage(scope, id, 450);
        expect((await read(h, scope, id)).account.alertLevel).toBe(80);

        const converted = await updateAccount(scope, id, { plan: 'basic' }, at(1), h.store);

        expect(converted).toMatchObject({ hardQuotaMb: 5 * GB, percentUsed: 8.8, alertLevel: 0 });
        const recovered = (await h.events(scope)).filter(
          (event) => event.accountId === id && event.type === 'quota.recovered',
        );
        expect(recovered.map((event) => event.data)).toEqual([
          {
            subject: 'account',
            level: 0,
            previousLevel: 80,
            usedMb: 450,
            quotaMb: 5 * GB,
            percentUsed: 8.8,
          },
        ]);
      });
    });

    describe('suspending an account', () => {
      it('stacks reasons, writes nothing for a repeat, and is active again without any', async () => {
        const h = harness();
        const { scope } = await pooledCompany(h);
        const sub = await create(h, scope, {
          parentId: (await read(h, scope)).company.adminAccountId,
        });
        const id = sub.account.id;

        const first = await changeAccountSuspension(
          scope,
          id,
          'suspend',
          { reason: 'abuse' },
          at(1),
          h.store,
        );
        const repeat = await changeAccountSuspension(
          scope,
          id,
          'suspend',
          { reason: 'abuse' },
          at(2),
          h.store,
        );
        const stacked = await changeAccountSuspension(
          scope,
          id,
          'suspend',
          { reason: 'manual' },
          at(3),
          h.store,
        );
        const absent = await changeAccountSuspension(
          scope,
          id,
          'reactivate',
          { reason: 'non_payment' },
          at(4),
          h.store,
        );
        const one = await changeAccountSuspension(
          scope,
          id,
          'reactivate',
          { reason: 'abuse' },
          at(5),
          h.store,
        );
        const none = await changeAccountSuspension(
          scope,
          id,
          'reactivate',
          { reason: 'manual' },
          at(6),
          h.store,
        );

        const since = at(1).toISOString();
        expect(first.suspension).toEqual({ reasons: ['abuse'], since });
        expect(first.features.backupsAllowed).toBe(false);
        expect(repeat).toEqual(first);
        expect(stacked.suspension).toEqual({ reasons: ['manual', 'abuse'], since });
        expect(absent).toEqual(stacked);
        expect(one.suspension).toEqual({ reasons: ['manual'], since });
        expect(none.suspension).toBeNull();
        expect(none.features.backupsAllowed).toBe(true);
        expect((await read(h, scope, id)).account.suspension).toBeNull();
        const events = (await h.events(scope)).filter((event) => event.accountId === id);
        expect(events.map((event) => [event.type, event.data])).toEqual([
          ['account.created', { account: sub.account }],
          ['account.suspended', { account: first, reason: 'abuse' }],
          ['account.suspended', { account: stacked, reason: 'manual' }],
          ['account.reactivated', { account: one, reason: 'abuse' }],
          ['account.reactivated', { account: none, reason: 'manual' }],
        ]);
      });

      it('refuses a cancelled account, and a company admin’s change to a suspended one', async () => {
        const h = harness();
        const { scope, admin } = await pooledCompany(h);
        const sub = await create(h, scope, { parentId: admin.id });
        const other = await create(h, scope, { parentId: admin.id });
        await changeAccountSuspension(
          scope,
          sub.account.id,
          'suspend',
          { reason: 'manual' },
          at(1),
          h.store,
        );
        await cancelAccount(scope, other.account.id, at(1), h.store);
        const asAdmin: CompanyScope = {
          ...scope,
          actor: `account:${admin.id}`,
          asCompanyAdmin: true,
        };

        await expect(
          updateAccount(asAdmin, sub.account.id, { hardQuotaMb: 10 * GB }, at(2), h.store),
        ).rejects.toMatchObject({ code: 'ACCOUNT_SUSPENDED' });
        await expect(cancelAccount(asAdmin, sub.account.id, at(2), h.store)).rejects.toMatchObject({
          code: 'ACCOUNT_SUSPENDED',
        });
        await expect(
          changeAccountSuspension(
            scope,
            other.account.id,
            'suspend',
            { reason: 'manual' },
            at(2),
            h.store,
          ),
        ).rejects.toMatchObject({ code: 'ACCOUNT_CANCELLED' });
        // The partner is not held back.
        const resized = await updateAccount(
          scope,
          sub.account.id,
          { hardQuotaMb: 10 * GB },
          at(3),
          h.store,
        );
        expect(resized).toMatchObject({
          hardQuotaMb: 10 * GB,
          suspension: { reasons: ['manual'] },
        });
      });
    });

    describe('cancelling an account', () => {
      it('cancels a parent with its sub-accounts, returns their storage and frees the plan', async () => {
        const h = harness();
        const { scope } = await pooledCompany(h);
        const parent = await create(h, scope, { plan: 'basic', hardQuotaMb: 10 * GB });
        const sub = await create(h, scope, { parentId: parent.account.id });

        const cancelled = await cancelAccount(scope, parent.account.id, at(3), h.store);
        const again = await cancelAccount(scope, parent.account.id, at(4), h.store);

        expect(cancelled.status).toBe('cancelled');
        expect(again).toEqual(cancelled);
        expect((await read(h, scope, sub.account.id)).account.status).toBe('cancelled');
        expect((await read(h, scope)).company).toMatchObject({
          allocatedMb: 10 * GB,
          accountCount: 1,
        });
        await expect(
          createAccount(
            scope,
            { username: parent.account.username, plan: 'basic' },
            at(5),
            h.store,
          ),
        ).rejects.toMatchObject({ code: 'USERNAME_TAKEN' });
        expect((await create(h, scope, { plan: 'basic' }, at(5))).account.kind).toBe('parent');
      });

      it('uncounts a cancelled sub-account on its parent and refuses the admin account', async () => {
        const h = harness();
        const { scope, admin } = await pooledCompany(h);
        const sub = await create(h, scope, { parentId: admin.id });

        await cancelAccount(scope, sub.account.id, at(1), h.store);

        expect((await read(h, scope, admin.id)).account.subAccountCount).toBe(0);
        await expect(cancelAccount(scope, admin.id, at(2), h.store)).rejects.toMatchObject({
          code: 'ADMIN_ACCOUNT',
        });
      });
    });
  });
}
