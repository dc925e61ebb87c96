import { createCompany as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { createCompany } from '#lib/provisioning/companies.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';

export const handler = route(operation, {
  idempotency: idempotent(),
  handle: ({ principal, body }) => createCompany(partnerScope(principal), body),
  location: ({ company }) => `/v1/companies/${company.id}`,
});
