/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. The
 * route table here is checked against serverless.yml by a test, so neither can drift.
 */
import * as z from 'zod/mini';
import {
  changePasswordSchema,
  contactSchema,
  createAccountSchema,
  createCompanySchema,
  loginSchema,
  recoverSchema,
  updateAccountSchema,
  updateCompanySchema,
  updateMeSchema,
  usageReportsSchema,
} from '#lib/schemas.ts';

type Caller = 'partner' | 'companyAdmin' | 'backupUser' | 'storage' | 'anyone';

export interface RouteDoc {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  operationId: string;
  summary: string;
  callers: Caller[];
  body?: z.ZodMiniType;
  status: number;
  list?: boolean;
  /** A POST whose reply is a secret (a session token): Idempotency-Key is accepted, not stored. */
  replyIsSecret?: boolean;
}

export const ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/companies',
    operationId: 'createCompany',
    summary: 'Create a company with its admin account and contact',
    callers: ['partner'],
    body: createCompanySchema,
    status: 201,
  },
  {
    method: 'get',
    path: '/v1/companies',
    operationId: 'listCompanies',
    summary: 'List companies',
    callers: ['partner'],
    status: 200,
    list: true,
  },
  {
    method: 'get',
    path: '/v1/companies/{companyId}',
    operationId: 'getCompany',
    summary: 'One company',
    callers: ['partner', 'companyAdmin'],
    status: 200,
  },
  {
    method: 'patch',
    path: '/v1/companies/{companyId}',
    operationId: 'updateCompany',
    summary: 'Rename, resize the pool, set licences or EndGuard',
    callers: ['partner'],
    body: updateCompanySchema,
    status: 200,
  },
  {
    method: 'delete',
    path: '/v1/companies/{companyId}',
    operationId: 'cancelCompany',
    summary: 'Cancel the company and all its accounts',
    callers: ['partner'],
    status: 200,
  },
  {
    method: 'post',
    path: '/v1/companies/{companyId}/contacts',
    operationId: 'createContact',
    summary: 'Create a contact',
    callers: ['partner', 'companyAdmin'],
    body: contactSchema,
    status: 201,
  },
  {
    method: 'get',
    path: '/v1/companies/{companyId}/contacts',
    operationId: 'listContacts',
    summary: 'List contacts',
    callers: ['partner', 'companyAdmin'],
    status: 200,
    list: true,
  },
  {
    method: 'post',
    path: '/v1/companies/{companyId}/accounts',
    operationId: 'createAccount',
    summary: 'Create a parent account (plan) or a sub-account (parentId)',
    callers: ['partner', 'companyAdmin'],
    body: createAccountSchema,
    status: 201,
  },
  {
    method: 'get',
    path: '/v1/companies/{companyId}/accounts',
    operationId: 'listAccounts',
    summary: 'List accounts',
    callers: ['partner', 'companyAdmin'],
    status: 200,
    list: true,
  },
  {
    method: 'get',
    path: '/v1/companies/{companyId}/accounts/{accountId}',
    operationId: 'getAccount',
    summary: 'One account',
    callers: ['partner', 'companyAdmin'],
    status: 200,
  },
  {
    method: 'patch',
    path: '/v1/companies/{companyId}/accounts/{accountId}',
    operationId: 'updateAccount',
    summary: 'Resize, convert plan, extend trial or change contact',
    callers: ['partner', 'companyAdmin'],
    body: updateAccountSchema,
    status: 200,
  },
  {
    method: 'delete',
    path: '/v1/companies/{companyId}/accounts/{accountId}',
    operationId: 'cancelAccount',
    summary: 'Cancel an account (and its sub-accounts)',
    callers: ['partner', 'companyAdmin'],
    status: 200,
  },
  {
    method: 'get',
    path: '/v1/companies/{companyId}/usage',
    operationId: 'getUsage',
    summary: 'The Backup Account Usage table, a page of accounts with totals over all of them',
    callers: ['partner', 'companyAdmin'],
    status: 200,
    list: true,
  },
  {
    method: 'post',
    path: '/v1/usage-reports',
    operationId: 'reportUsage',
    summary: 'Usage reports from the storage service',
    callers: ['storage'],
    body: usageReportsSchema,
    status: 200,
  },
  {
    method: 'get',
    path: '/v1/audit',
    operationId: 'listAudit',
    summary: 'The audit log, newest first',
    callers: ['partner', 'companyAdmin'],
    status: 200,
    list: true,
  },
  {
    method: 'post',
    path: '/v1/companies/{companyId}/accounts/{accountId}/password-reset',
    operationId: 'resetPassword',
    summary: 'A new temporary password, e-mailed to the account contact (not for UltraSafe)',
    callers: ['partner', 'companyAdmin'],
    status: 202,
  },
  {
    method: 'post',
    path: '/v1/companies/{companyId}/impersonate',
    operationId: 'impersonate',
    summary: 'Login as company admin: a one-hour company-admin session naming the partner',
    callers: ['partner'],
    status: 200,
    replyIsSecret: true,
  },
  {
    method: 'post',
    path: '/v1/auth/login',
    operationId: 'login',
    summary: 'Log in as a backup user or company admin',
    callers: ['anyone'],
    body: loginSchema,
    status: 200,
    replyIsSecret: true,
  },
  {
    method: 'post',
    path: '/v1/auth/password',
    operationId: 'changePassword',
    summary: 'Replace the password (the only call a temporary-password session may make)',
    callers: ['companyAdmin', 'backupUser'],
    body: changePasswordSchema,
    status: 200,
    replyIsSecret: true,
  },
  {
    method: 'post',
    path: '/v1/auth/recover',
    operationId: 'recover',
    summary: 'Set a new password with the secret answer (not for UltraSafe)',
    callers: ['anyone'],
    body: recoverSchema,
    status: 204,
    replyIsSecret: true,
  },
  {
    method: 'get',
    path: '/v1/me',
    operationId: 'getMe',
    summary: "The caller's own account, with features, quotas, usage and trial end",
    callers: ['backupUser', 'companyAdmin'],
    status: 200,
  },
  {
    method: 'patch',
    path: '/v1/me',
    operationId: 'updateMe',
    summary: "Set the caller's own user quota (null = unlimited)",
    callers: ['backupUser', 'companyAdmin'],
    body: updateMeSchema,
    status: 200,
  },
  {
    method: 'get',
    path: '/v1/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This document',
    callers: ['anyone'],
    status: 200,
  },
];

const problem = {
  description: 'An RFC 9457 problem document',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

function operation(route: RouteDoc) {
  const parameters: Record<string, unknown>[] = [...route.path.matchAll(/\{(\w+)\}/g)].map(
    ([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }),
  );
  if (route.list) {
    parameters.push(
      {
        name: 'limit',
        in: 'query',
        schema: { type: 'integer', minimum: 1, maximum: 100, default: 25 },
      },
      { name: 'cursor', in: 'query', schema: { type: 'string' } },
    );
  }
  if (route.method === 'post') {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      description: route.replyIsSecret
        ? 'Accepted but not stored: the reply holds a secret.'
        : 'The same key with the same body within 24 h returns the first response.',
      schema: { type: 'string', maxLength: 255 },
    });
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.callers.includes('anyone') ? { security: [] } : { security: [{ bearer: [] }] }),
    'x-callers': route.callers,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: z.toJSONSchema(route.body, { io: 'input', unrepresentable: 'any' }),
              },
            },
          },
        }
      : {}),
    responses: {
      [String(route.status)]:
        route.status === 204
          ? { description: 'Done' }
          : { description: 'Success', content: { 'application/json': {} } },
      default: problem,
    },
  };
}

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Backup provisioning API',
      version: '1.0.0',
      description:
        'Partners provision companies, backup accounts and storage; errors are RFC 9457 problem documents.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A partner API key, a storage-service key, or a session token from /v1/auth/login or impersonation',
        },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'code', 'detail', 'errors'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            code: { type: 'string' },
            detail: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                properties: { path: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  };
}
