import type { PartnerPrincipal } from '#lib/auth/principal.ts';

/**
 * The tenant a request acts in and who acts. Every store access is keyed by `partnerId`, so
 * nothing outside the caller's partner can be reached.
 */
export interface TenantScope {
  partnerId: string;
  partnerName: string;
  fineIncrements: boolean;
  actor: string;
  actingAs: string | null;
}

export const partnerScope = (principal: PartnerPrincipal): TenantScope => ({
  partnerId: principal.partnerId,
  partnerName: principal.partnerName,
  fineIncrements: principal.fineIncrements,
  actor: `partner:${principal.partnerId}`,
  actingAs: null,
});
