import { getCompany as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { getCompany } from '#lib/provisioning/companies.ts';

export const handler = route(operation, { handle: ({ scope }) => getCompany(scope) });
