import type { CompanyAdminPrincipal, PartnerPrincipal } from '#lib/auth/principal.ts';
import { ladderOf } from '#lib/rules/quota.ts';

/** The caller's partner as GET /v1/partner answers it: all from the authorizer's principal. */
export const partnerView = (principal: PartnerPrincipal | CompanyAdminPrincipal) => ({
  id: principal.partnerId,
  name: principal.partnerName,
  fineIncrements: principal.fineIncrements,
  ladder: ladderOf({ fineIncrements: principal.fineIncrements }),
});
