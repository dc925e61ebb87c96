import { createCompany as operation } from '#lib/api/operations.ts';
import { type ReplyBody, route } from '#lib/http/handler.ts';
import { idempotent } from '#lib/http/idempotency.ts';
import { createCompany } from '#lib/provisioning/companies.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';

const location = ({ company }: ReplyBody<typeof operation>) => `/v1/companies/${company.id}`;

export const handler = route(operation, {
  // The key's record is completed in the transaction creating the company, with this reply.
  idempotency: idempotent({ reply: { status: operation.response.status, location } }),
  handle: ({ principal, body }) => createCompany(partnerScope(principal), body),
  location,
});
