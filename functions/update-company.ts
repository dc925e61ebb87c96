import { updateCompany as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { updateCompany } from '#lib/provisioning/companies.ts';

export const handler = route(operation, {
  handle: ({ scope, body }) => updateCompany(scope, body),
});
