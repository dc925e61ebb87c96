import { monotonicFactory } from 'ulid';
import type * as z from 'zod/mini';
import type { auditEntryResponse } from '#lib/api/responses.ts';
import { ENTITY, INDEX, keys } from './keys.ts';
import { type Item, type Page, queryPage, type WriteStep, write } from './table.ts';

/** An entry as filed and as returned (see its schema for who `actor` and `actingAs` name). */
export type AuditEntry = z.output<typeof auditEntryResponse>;

const nextId = monotonicFactory();

export const newAuditId = (at: Date) => nextId(at.getTime());

/** Filed under the partner; an entry about a company is also indexed for its company admin. */
export function auditStep(partnerId: string, entry: AuditEntry): WriteStep {
  return {
    item: write.put(
      {
        ...keys.audit(partnerId, entry.id),
        entity: ENTITY.audit,
        ...(entry.companyId ? keys.companyAudit(partnerId, entry.companyId) : {}),
        ...entry,
      },
      'attribute_not_exists(PK)',
    ),
  };
}

const entryFromItem = (item: Item): AuditEntry => ({
  id: item.id as string,
  at: item.at as string,
  actor: item.actor as string,
  actingAs: (item.actingAs as string | null) ?? null,
  action: item.action as string,
  targetType: item.targetType as AuditEntry['targetType'],
  targetId: item.targetId as string,
  companyId: (item.companyId as string | null) ?? null,
  details: (item.details as Record<string, unknown>) ?? {},
});

export async function listAudit(
  partnerId: string,
  limit: number,
  cursor: string | undefined,
): Promise<Page<AuditEntry>> {
  const { PK, skPrefix } = keys.auditOf(partnerId);
  const page = await queryPage({ pk: PK, skPrefix, limit, cursor, newestFirst: true });
  return { items: page.items.map(entryFromItem), nextCursor: page.nextCursor };
}

/** One company's entries, newest first, from the sparse CompanyAudit index. */
export async function listCompanyAudit(
  partnerId: string,
  companyId: string,
  limit: number,
  cursor: string | undefined,
): Promise<Page<AuditEntry>> {
  const { PK, skPrefix } = keys.auditOf(partnerId);
  const { CompanyAuditPK } = keys.companyAudit(partnerId, companyId);
  const page = await queryPage({
    pk: CompanyAuditPK,
    skPrefix,
    limit,
    cursor,
    newestFirst: true,
    index: {
      name: INDEX.companyAudit.name,
      partitionAttribute: INDEX.companyAudit.partition,
      tablePk: PK,
    },
  });
  return { items: page.items.map(entryFromItem), nextCursor: page.nextCursor };
}
