import { ulid } from 'ulid';
import type { Company, Contact } from '#lib/model.ts';
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
  };
}

accountUseCaseSuite('in memory', memoryHarness);
