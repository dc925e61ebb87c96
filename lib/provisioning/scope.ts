import {
  type CompanyAdminPrincipal,
  type PartnerPrincipal,
  partnerActor,
  type SessionPrincipal,
} from '#lib/auth/principal.ts';
import { notFound } from '#lib/errors.ts';

/**
 * The tenant a request acts in and who acts. Every store access is keyed by `partnerId`, so
 * nothing outside the caller's partner can be reached; a company admin's scope also pins the
 * one company it may reach.
 */
export interface TenantScope {
  partnerId: string;
  partnerName: string;
  fineIncrements: boolean;
  /** Set for a company admin: the only company this scope reaches. */
  companyId: string | null;
  actor: string;
  actingAs: string | null;
  /**
   * Set for a company admin's session (its own or a partner's impersonation): writes it makes
   * are refused while its company is suspended.
   */
  asCompanyAdmin?: boolean;
}

/** Whether the scope acts as a company admin (see `asCompanyAdmin`). */
export const actsAsCompanyAdmin = (scope: TenantScope): boolean => scope.asCompanyAdmin === true;

export const partnerScope = (principal: PartnerPrincipal): TenantScope => ({
  partnerId: principal.partnerId,
  partnerName: principal.partnerName,
  fineIncrements: principal.fineIncrements,
  companyId: null,
  actor: partnerActor(principal),
  actingAs: null,
});

/** The staff member a scope's actor names, or null for any other actor. */
export const staffIdOf = (scope: TenantScope): string | null =>
  scope.actor.startsWith('staff:') ? scope.actor.slice('staff:'.length) : null;

/**
 * A logged-in user acting on its own account, or a company admin on its company. A partner
 * holding an impersonation session is recorded as itself (the staff member when one holds it),
 * acting as the company's admin.
 */
export const sessionScope = (principal: SessionPrincipal): TenantScope => {
  const actingPartnerId = principal.kind === 'companyAdmin' ? principal.actingPartnerId : null;
  const actingStaffId = principal.kind === 'companyAdmin' ? principal.actingStaffId : null;
  const actingActor = actingStaffId ? `staff:${actingStaffId}` : `partner:${actingPartnerId}`;
  return {
    partnerId: principal.partnerId,
    partnerName: principal.partnerName,
    fineIncrements: principal.fineIncrements,
    companyId: principal.companyId,
    actor: actingPartnerId ? actingActor : `account:${principal.accountId}`,
    actingAs: actingPartnerId ? `admin-of-company:${principal.companyId}` : null,
    ...(principal.kind === 'companyAdmin' ? { asCompanyAdmin: true } : {}),
  };
};

/** The scope of a company's routes: the company is the path's, and the only one reached. */
export type CompanyScope = TenantScope & { companyId: string };

/** A user acting on its own account without a session (self-service recovery). */
export const accountScope = (account: {
  partnerId: string;
  companyId: string;
  id: string;
}): TenantScope => ({
  partnerId: account.partnerId,
  partnerName: '',
  fineIncrements: false,
  companyId: account.companyId,
  actor: `account:${account.id}`,
  actingAs: null,
});

/**
 * The scope of a company route. Another company's id is answered 404 to a company admin, as
 * another partner's is to a partner, so ids cannot be probed.
 */
export function companyScope(
  principal: PartnerPrincipal | CompanyAdminPrincipal,
  companyId: string,
): CompanyScope {
  if (principal.kind === 'partner') return { ...partnerScope(principal), companyId };
  if (principal.companyId !== companyId) throw notFound('Company');
  return { ...sessionScope(principal), companyId };
}
