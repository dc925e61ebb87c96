import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { type ResponseBodies, responseSchemas } from '#lib/api/responses.ts';
import {
  cancelAccount,
  createAccount,
  listAccounts,
  updateAccount,
} from '#lib/provisioning/accounts.ts';
import { createCompany, getCompany, listCompanies } from '#lib/provisioning/companies.ts';
import { createContact, listContacts } from '#lib/provisioning/contacts.ts';
import { impersonate, login, resetPassword } from '#lib/provisioning/identity.ts';
import { reportUsage, usageTable } from '#lib/provisioning/usage.ts';
import { listAudit, listCompanyAudit } from '#lib/store/audit.ts';
import { companyBody, inCompany, newScope, uniqueUsername } from '../support/builders.ts';

/** The reply as a client reads it, checked against its schema in the document. */
function expectShape(name: keyof ResponseBodies, reply: unknown) {
  const schema: z.ZodMiniType = responseSchemas[name];
  const parsed = schema.safeParse(JSON.parse(JSON.stringify(reply)));
  expect(parsed.error, name).toBeUndefined();
}

describe('what the service returns matches its response schemas', () => {
  it('for companies, accounts, contacts, usage, sessions and the audit log', async () => {
    // Prepare
    const scope = newScope();
    const body = companyBody({ quotaMb: 51_200, endGuard: true, admin: { hardQuotaMb: 10_240 } });
    const created = await createCompany(scope, body);
    const companyId = created.company.id;
    const password = 'a long passphrase of mine';
    const trial = await createAccount(inCompany(scope, companyId), {
      username: uniqueUsername('trial'),
      plan: 'trial',
      trialDays: 10,
      password,
      secretQuestion: 'First pet?',
      secretAnswer: 'Rex',
    });
    // The admin is the company's select parent: one parent per plan.
    const basic = await createAccount(inCompany(scope, companyId), {
      username: uniqueUsername('basic'),
      plan: 'basic',
      hardQuotaMb: 10_240,
      contact: { fullName: 'Ola Nord', email: 'ola@example.com', phone: '+47 22 00 00 00' },
    });
    const sub = await createAccount(inCompany(scope, companyId), {
      username: uniqueUsername('sub'),
      parentId: trial.account.id,
      ultraSafe: true,
    });
    const contact = await createContact(inCompany(scope, companyId), {
      fullName: 'Kari Nord',
      email: 'kari@example.com',
    });
    const usage = await reportUsage([
      { accountId: basic.account.id, usedMb: 2_048 },
      { accountId: trial.account.id, usedMb: 100 },
      { accountId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', usedMb: 1 },
    ]);
    const updated = await updateAccount(inCompany(scope, companyId), trial.account.id, {
      trialDays: 20,
    });
    const cancelled = await cancelAccount(inCompany(scope, companyId), sub.account.id);
    const reset = await resetPassword(inCompany(scope, companyId), basic.account.id);
    const session = await login({ username: trial.account.username, password });
    const impersonation = await impersonate(inCompany(scope, companyId));

    // Act / Assess
    expectShape('CreatedCompany', created);
    expectShape('CreatedAccount', trial);
    expectShape('CreatedAccount', basic);
    expectShape('CreatedAccount', sub);
    expectShape('Contact', contact);
    expectShape('UsageReportResult', usage);
    expect(usage.unknownAccountIds).toHaveLength(1);
    expectShape('Account', updated);
    expectShape('Account', cancelled);
    expectShape('Account', reset);
    expectShape('Session', session);
    expectShape('Impersonation', impersonation);
    expectShape('Company', await getCompany(inCompany(scope, companyId)));
    expectShape('CompanyList', await listCompanies(scope, 25, undefined));
    const accounts = await listAccounts(inCompany(scope, companyId), 2, undefined);
    expect(accounts.nextCursor).not.toBeNull();
    expectShape('AccountList', accounts);
    expectShape('ContactList', await listContacts(inCompany(scope, companyId), 25, undefined));
    const table = await usageTable(inCompany(scope, companyId), { limit: 2 });
    expect(table.items.length).toBeGreaterThan(0);
    expectShape('UsageTable', table);
    const audit = await listAudit(scope.partnerId, 100, undefined);
    expect(audit.items.length).toBeGreaterThan(5);
    expectShape('AuditList', audit);
    expectShape('AuditList', await listCompanyAudit(scope.partnerId, companyId, 3, undefined));
  });
});
