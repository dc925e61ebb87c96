import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { Company, Contact } from '#lib/model.ts';
import { createAccount, updateAccount } from '#lib/provisioning/accounts.ts';
import type { CompanyScope } from '#lib/provisioning/scope.ts';
import { listedTotalsOf } from '#lib/rules/listed-totals.ts';
import { newAccountRecord } from '#lib/rules/new-account.ts';
import {
  type AccountStoreHarness,
  accountUseCaseSuite,
} from '../support/account-use-cases.suite.ts';
import { MemoryAccountStore } from '../support/memory-account-store.ts';

/** The records createCompany writes, stored directly: the company, its admin and its contact. */
function memoryHarness(): AccountStoreHarness {
  const store = new MemoryAccountStore();
  const contactOf = (companyId: string, id: string, email: string, at: string): Contact => ({
    id,
    companyId,
    fullName: 'Hanna Tech',
    email,
    phone: null,
    createdAt: at,
  });
  return {
    store,
    async newCompany({ quotaMb, adminMb, adminPlan, now }) {
      const partnerId = ulid();
      const companyId = ulid();
      const at = now.toISOString();
      const scope: CompanyScope = {
        partnerId,
        partnerName: 'Acme IT',
        fineIncrements: false,
        companyId,
        actor: `partner:${partnerId}`,
        actingAs: null,
      };
      const adminContact = contactOf(companyId, companyId, 'hanna@hightech.example', at);
      const { account: admin, pooledMb } = newAccountRecord({
        request: { username: `admin.${companyId.toLowerCase()}`, hardQuotaMb: adminMb },
        id: ulid(),
        partnerId,
        companyId,
        kind: 'parent',
        parent: null,
        plan: adminPlan,
        contactId: adminContact.id,
        poolMb: quotaMb,
        isCompanyAdmin: true,
        fineIncrements: false,
        fieldPrefix: 'admin.',
        now,
      });
      const company: Company = {
        id: companyId,
        partnerId,
        name: 'HighTech',
        quotaMb,
        allocatedMb: pooledMb,
        usedMb: 0,
        accountCount: 1,
        listed: listedTotalsOf([admin]),
        licenses: { egr: 0, spV5: 0 },
        endGuard: false,
        status: 'active',
        adminAccountId: admin.id,
        adminContactId: adminContact.id,
        createdAt: at,
        updatedAt: at,
      };
      store.seed(partnerId, { company, accounts: [admin], contacts: [adminContact] });
      return { scope, company, admin, adminContact };
    },
    async newContact(scope, email) {
      const contact = contactOf(scope.companyId, ulid(), email, new Date().toISOString());
      store.seed(scope.partnerId, { contacts: [contact] });
      return contact;
    },
    async reportUsage(scope, accountId, usedMb) {
      store.reportUsage(scope.partnerId, scope.companyId, accountId, usedMb);
    },
    async events(scope) {
      return store.events.filter((event) => event.partnerId === scope.partnerId);
    },
  };
}

accountUseCaseSuite('in memory', memoryHarness);

describe('the in-memory store', () => {
  it('refuses, as one transaction would, to convert a parent with more sub-accounts than it holds', async () => {
    const h = memoryHarness();
    const now = new Date('2032-05-01T10:00:00.000Z');
    const { scope } = await h.newCompany({
      quotaMb: 1000 * 1024,
      adminMb: 5120,
      adminPlan: 'select',
      now,
    });
    const parent = await createAccount(
      scope,
      { username: `big.${ulid()}`, plan: 'trial' },
      now,
      h.store,
    );
    for (let i = 0; i < 96; i++) {
      await createAccount(
        scope,
        { username: `s${i}.${ulid()}`, parentId: parent.account.id },
        now,
        h.store,
      );
    }

    await expect(
      updateAccount(scope, parent.account.id, { plan: 'basic' }, now, h.store),
    ).rejects.toMatchObject({
      code: 'TOO_MANY_SUB_ACCOUNTS',
      extensions: { subAccounts: 96, maxSubAccounts: 94 },
    });
    const { account } = await h.store.loadContext(scope.partnerId, scope.companyId, {
      accountId: parent.account.id,
    });
    expect(account?.plan).toBe('trial');
  });
});
