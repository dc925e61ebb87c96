import type { Account, Company, Contact } from '#lib/model.ts';
import { createCompany } from '#lib/provisioning/companies.ts';
import { createContact } from '#lib/provisioning/contacts.ts';
import { listEvents } from '#lib/provisioning/events.ts';
import { reportUsage } from '#lib/provisioning/usage.ts';
import { dynamoAccountStore } from '#lib/store/account-store.ts';
import {
  type AccountStoreHarness,
  accountUseCaseSuite,
} from '../support/account-use-cases.suite.ts';
import { companyBody, inCompany, newScope } from '../support/builders.ts';

/** The company written by createCompany itself, read back through the store. */
const dynamoHarness = (): AccountStoreHarness => ({
  store: dynamoAccountStore,
  async newCompany({ quotaMb, adminMb, adminPlan, now }) {
    const tenant = newScope();
    const body = companyBody({
      quotaMb: quotaMb ?? undefined,
      admin: { plan: adminPlan, ...(adminMb !== undefined && { hardQuotaMb: adminMb }) },
    });
    const created = await createCompany(tenant, body, now);
    const context = await dynamoAccountStore.loadContext(tenant.partnerId, created.company.id, {
      accountId: created.account.id,
      contactId: created.contact.id,
    });
    return {
      scope: inCompany(tenant, created.company.id),
      company: context.company as Company,
      admin: context.account as Account,
      adminContact: context.contact as Contact,
    };
  },
  async newContact(scope, email) {
    return createContact(scope, { fullName: 'Sam Shared', email });
  },
  async reportUsage(_scope, accountId, usedMb) {
    await reportUsage([{ accountId, usedMb }]);
  },
  async events(scope) {
    // As of a minute on, when every event written so far is listed.
    const page = await listEvents(scope, { limit: 100 }, new Date(Date.now() + 60_000));
    return page.items;
  },
});

accountUseCaseSuite('DynamoDB Local', dynamoHarness);
