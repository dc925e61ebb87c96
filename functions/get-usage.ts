import { route } from '#lib/http/handler.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';
import { usageTable } from '#lib/provisioning/usage.ts';

export const handler = route({
  allow: ['partner'],
  params: ['companyId'],
  handle: async ({ principal, params }) => ({
    status: 200,
    body: await usageTable(partnerScope(principal), params.companyId as string),
  }),
});
