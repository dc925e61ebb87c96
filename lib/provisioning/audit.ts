import { type AuditEntry, auditStep, newAuditId } from '#lib/store/audit.ts';
import type { WriteStep } from '#lib/store/table.ts';
import type { TenantScope } from './scope.ts';

export function audit(
  scope: TenantScope,
  now: Date,
  entry: Pick<AuditEntry, 'action' | 'targetType' | 'targetId' | 'companyId'> & {
    details?: Record<string, unknown>;
  },
): WriteStep {
  return auditStep(scope.partnerId, {
    id: newAuditId(now),
    at: now.toISOString(),
    actor: scope.actor,
    actingAs: scope.actingAs,
    details: {},
    ...entry,
  });
}
