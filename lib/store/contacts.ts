import type { Contact } from '#lib/model.ts';
import { contactFromItem, contactToItem } from './items.ts';
import { keys } from './keys.ts';
import { type Page, queryPage, type WriteStep, write } from './table.ts';

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
