import type { Contact } from '#lib/model.ts';
import { contactFromItem, contactToItem, isEntity } from './items.ts';
import { ENTITY, keys } from './keys.ts';
import { getItem, type Page, queryPage, type WriteStep, write } from './table.ts';

export function putNewContact(partnerId: string, contact: Contact): WriteStep {
  return { item: write.put(contactToItem(partnerId, contact), 'attribute_not_exists(PK)') };
}

export async function listContacts(
  partnerId: string,
  companyId: string,
  limit: number,
  cursor: string | undefined,
): Promise<Page<Contact>> {
  const { PK, skPrefix } = keys.contactsOf(partnerId, companyId);
  const page = await queryPage({ pk: PK, skPrefix, limit, cursor });
  return { items: page.items.map(contactFromItem), nextCursor: page.nextCursor };
}

export async function findContact(
  partnerId: string,
  companyId: string,
  contactId: string,
): Promise<Contact | null> {
  const item = await getItem(keys.contact(partnerId, companyId, contactId));
  return isEntity(item, ENTITY.contact) ? contactFromItem(item) : null;
}
