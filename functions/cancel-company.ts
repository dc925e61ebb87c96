import { cancelCompany as operation } from '#lib/api/operations.ts';
import { route } from '#lib/http/handler.ts';
import { cancelCompany } from '#lib/provisioning/companies.ts';

export const handler = route(operation, { handle: ({ scope }) => cancelCompany(scope) });
