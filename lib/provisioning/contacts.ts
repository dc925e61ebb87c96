import { ulid } from 'ulid';
import type * as z from 'zod/mini';
import { notFound } from '#lib/errors.ts';
import { type Contact, type ContactView, toContactView } from '#lib/model.ts';
import { assertCompanyAdminMayWrite } from '#lib/rules/suspension.ts';
import type { contactSchema } from '#lib/schemas.ts';
import { findCompany } from '#lib/store/companies.ts';
import {
  findContact,
  listContacts as listContactPage,
  putNewContact,
} from '#lib/store/contacts.ts';
import { type Page, transact } from '#lib/store/table.ts';
import { audit } from './audit.ts';
import { actsAsCompanyAdmin, type CompanyScope } from './scope.ts';

export async function createContact(
  scope: CompanyScope,
  body: z.infer<typeof contactSchema>,
  now = new Date(),
): Promise<ContactView> {
  const { companyId } = scope;
  const company = await findCompany(scope.partnerId, companyId);
  if (!company) throw notFound('Company');
  assertCompanyAdminMayWrite(actsAsCompanyAdmin(scope), company);
  const contact: Contact = {
    id: ulid(),
    companyId,
    fullName: body.fullName,
    email: body.email,
    phone: body.phone ?? null,
    createdAt: now.toISOString(),
  };
  const reply = toContactView(contact);
  await transact(
    [
      putNewContact(scope.partnerId, contact),
      audit(scope, now, {
        action: 'contact.create',
        targetType: 'contact',
        targetId: contact.id,
        companyId,
      }),
    ],
    { reply },
  );
  return reply;
}

export async function listContacts(
  scope: CompanyScope,
  limit: number,
  cursor: string | undefined,
): Promise<Page<ContactView>> {
  const { companyId } = scope;
  if (!(await findCompany(scope.partnerId, companyId))) throw notFound('Company');
  const page = await listContactPage(scope.partnerId, companyId, limit, cursor);
  return { items: page.items.map(toContactView), nextCursor: page.nextCursor };
}

export async function getContact(scope: CompanyScope, contactId: string): Promise<ContactView> {
  const contact = await findContact(scope.partnerId, scope.companyId, contactId);
  if (!contact) throw notFound('Contact');
  return toContactView(contact);
}
