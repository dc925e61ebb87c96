import { type AuditEntry, auditStep, newAuditId } from '#lib/store/audit.ts';
import type { WriteStep } from '#lib/store/table.ts';
import type { TenantScope } from './scope.ts';

type AuditFacts = Pick<AuditEntry, 'action' | 'targetType' | 'targetId' | 'companyId'> & {
  details?: Record<string, unknown>;
};

/** The entry of what the scope's actor did now. */
export function auditEntry(scope: TenantScope, now: Date, entry: AuditFacts): AuditEntry {
  return {
    id: newAuditId(now),
    at: now.toISOString(),
    actor: scope.actor,
    actingAs: scope.actingAs,
    details: {},
    ...entry,
  };
}

export function audit(scope: TenantScope, now: Date, entry: AuditFacts): WriteStep {
  return auditStep(scope.partnerId, auditEntry(scope, now, entry));
}
