import { getPartner as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { partnerView } from '#lib/provisioning/partner.ts';

export const handler = route(operation, {
  handle: async ({ principal }) => partnerView(principal),
});
