/**
 * Every operation of the HTTP API, defined once. A function wires its handler from its
 * operation (lib/http/handler.ts), the OpenAPI document is generated from all of them
 * (./document.ts), and a test checks serverless.yml's events against them.
 *
 * Each operation is its own export, built in a call marked pure, so a function's bundle holds
 * only its own definition and request schemas; response schemas are named, never imported here.
 */
import type { CallerKind } from '#lib/auth/principal.ts';
import type { ErrorCode } from '#lib/errors.ts';
import {
  changePasswordSchema,
  contactSchema,
  createAccountSchema,
  createApiKeySchema,
  createCompanySchema,
  createStaffSchema,
  createWebhookSchema,
  eventQuerySchema,
  listQuerySchema,
  loginSchema,
  mfaConfirmSchema,
  recoverSchema,
  staffLoginSchema,
  suspensionSchema,
  updateAccountSchema,
  updateCompanySchema,
  updateMeSchema,
  updateStaffSchema,
  updateWebhookSchema,
  usageReportsSchema,
} from '#lib/schemas.ts';
import type { ResponseBodies } from './responses.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** What a request names in its path, from the path template: `{companyId}` → `companyId`. */
export type PathParams<P extends string> = P extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PathParams<Rest>
  : never;

export type ResponseName = keyof ResponseBodies;

export type Tag =
  | 'Companies'
  | 'Contacts'
  | 'Accounts'
  | 'Usage'
  | 'Audit'
  | 'Sessions'
  | 'Self'
  | 'ApiKeys'
  | 'Staff'
  | 'Events'
  | 'Webhooks';

/** The zod/mini schema type without importing zod's runtime. */
type Schema = import('zod/mini').ZodMiniType;

export interface Operation {
  operationId: string;
  method: Method;
  path: string;
  summary: string;
  description?: string;
  tag: Tag | 'Service';
  /** Who may call: staff roles, key scopes, other kinds; `anonymous` makes the route public. */
  allow: readonly CallerKind[];
  /** Open to a session from a temporary password (only the password change is). */
  whilePasswordChangeRequired?: boolean;
  /** Open to a staff session that has not enrolled its second factor yet (only enrolment is). */
  whileMfaEnrolmentRequired?: boolean;
  body?: Schema;
  query?: Schema;
  /**
   * Honours `Idempotency-Key`: `replay` stores the first reply and returns it again; `session`
   * does so for a reply holding a session token, stored without its signature.
   */
  idempotency?: 'replay' | 'session';
  response: {
    status: 200 | 201 | 202 | 204;
    /** The body's schema in ./responses.ts; none for 204. */
    body?: ResponseName;
    description: string;
  };
  /**
   * The codes the operation's own rules can answer, beyond those every operation of its kind
   * can; a shared group of codes is listed as its array (a spread would keep every definition
   * in every bundle: esbuild cannot prove a spread free of side effects).
   */
  errors: readonly (ErrorCode | readonly ErrorCode[])[];
}

/** What any new account's rules can refuse, whether it comes with its company or alone. */
const NEW_ACCOUNT_RULES = [
  'USERNAME_TAKEN',
  'WEAK_PASSWORD',
  'ULTRASAFE_NO_SECRET_QUESTION',
  'SECRET_QUESTION_INCOMPLETE',
  'QUOTA_NOT_ON_LADDER',
  'INVALID_QUOTA',
  'POOLED_QUOTA_REQUIRED',
  'POOL_EXCEEDED',
  'NOT_A_TRIAL',
] as const satisfies readonly ErrorCode[];

/** Keeps the definition's literal types (method, path, status, body name) for the handler. */
const define = <const O extends Operation>(operation: O): O => operation;

export const createCompany = /* @__PURE__ */ define({
  operationId: 'createCompany',
  method: 'POST',
  path: '/v1/companies',
  summary: 'Create a company with its admin account and contact',
  description:
    'The admin account gets the whole pool unless `admin.hardQuotaMb` names a smaller ladder size. ' +
    'Without `admin.password`, a temporary password is generated and e-mailed to the contact.',
  tag: 'Companies',
  allow: ['owner', 'admin', 'operator', 'fullKey'],
  body: createCompanySchema,
  idempotency: 'replay',
  response: {
    status: 201,
    body: 'CreatedCompany',
    description: 'The company, its admin account and contact',
  },
  errors: [NEW_ACCOUNT_RULES],
});

export const listCompanies = /* @__PURE__ */ define({
  operationId: 'listCompanies',
  method: 'GET',
  path: '/v1/companies',
  summary: 'List companies',
  tag: 'Companies',
  allow: ['owner', 'admin', 'operator', 'billing', 'fullKey', 'readKey'],
  query: listQuerySchema,
  response: { status: 200, body: 'CompanyList', description: 'A page of companies' },
  errors: [],
});

export const getCompany = /* @__PURE__ */ define({
  operationId: 'getCompany',
  method: 'GET',
  path: '/v1/companies/{companyId}',
  summary: 'One company',
  tag: 'Companies',
  allow: ['owner', 'admin', 'operator', 'billing', 'fullKey', 'readKey', 'companyAdmin'],
  response: { status: 200, body: 'Company', description: 'The company' },
  errors: [],
});

export const updateCompany = /* @__PURE__ */ define({
  operationId: 'updateCompany',
  method: 'PATCH',
  path: '/v1/companies/{companyId}',
  summary: 'Rename, resize the pool, set licences or EndGuard',
  tag: 'Companies',
  allow: ['owner', 'admin', 'operator', 'fullKey'],
  body: updateCompanySchema,
  response: { status: 200, body: 'Company', description: 'The company as changed' },
  errors: ['COMPANY_CANCELLED', 'POOL_MODE_FIXED', 'QUOTA_NOT_ON_LADDER', 'POOL_BELOW_ALLOCATED'],
});

export const cancelCompany = /* @__PURE__ */ define({
  operationId: 'cancelCompany',
  method: 'DELETE',
  path: '/v1/companies/{companyId}',
  summary: 'Cancel the company and all its accounts',
  description:
    'Final. Usernames stay reserved and data is kept. A repeat answers the company as it is.',
  tag: 'Companies',
  allow: ['owner', 'admin', 'operator', 'fullKey'],
  response: { status: 200, body: 'Company', description: 'The cancelled company' },
  errors: [],
});

export const impersonate = /* @__PURE__ */ define({
  operationId: 'impersonate',
  method: 'POST',
  path: '/v1/companies/{companyId}/impersonate',
  summary: 'Login as company admin',
  description:
    "A company-admin session of one hour that names the partner; the partner's own key keeps working (resume).",
  tag: 'Sessions',
  allow: ['owner', 'admin', 'operator', 'fullKey'],
  idempotency: 'session',
  response: { status: 200, body: 'Impersonation', description: 'A company-admin session' },
  errors: ['COMPANY_CANCELLED'],
});

export const createContact = /* @__PURE__ */ define({
  operationId: 'createContact',
  method: 'POST',
  path: '/v1/companies/{companyId}/contacts',
  summary: 'Create a contact',
  tag: 'Contacts',
  allow: ['owner', 'admin', 'operator', 'fullKey', 'companyAdmin'],
  body: contactSchema,
  idempotency: 'replay',
  response: { status: 201, body: 'Contact', description: 'The contact' },
  errors: ['COMPANY_SUSPENDED'],
});

export const listContacts = /* @__PURE__ */ define({
  operationId: 'listContacts',
  method: 'GET',
  path: '/v1/companies/{companyId}/contacts',
  summary: 'List contacts',
  tag: 'Contacts',
  allow: ['owner', 'admin', 'operator', 'fullKey', 'readKey', 'companyAdmin'],
  query: listQuerySchema,
  response: { status: 200, body: 'ContactList', description: 'A page of contacts' },
  errors: [],
});

export const getContact = /* @__PURE__ */ define({
  operationId: 'getContact',
  method: 'GET',
  path: '/v1/companies/{companyId}/contacts/{contactId}',
  summary: 'One contact',
  tag: 'Contacts',
  allow: ['owner', 'admin', 'operator', 'fullKey', 'readKey', 'companyAdmin'],
  response: { status: 200, body: 'Contact', description: 'The contact' },
  errors: [],
});

export const createAccount = /* @__PURE__ */ define({
  operationId: 'createAccount',
  method: 'POST',
  path: '/v1/companies/{companyId}/accounts',
  summary: 'Create a parent account (plan) or a sub-account (parentId)',
  description:
    "Exactly one of `plan` (a parent account, one per plan) or `parentId` (a sub-account, on its parent's plan). " +
    "At most one of `contactId` or `contact`; neither gives the account the company admin's contact.",
  tag: 'Accounts',
  allow: ['owner', 'admin', 'operator', 'fullKey', 'companyAdmin'],
  body: createAccountSchema,
  idempotency: 'replay',
  response: { status: 201, body: 'CreatedAccount', description: 'The account and its contact' },
  errors: [
    'COMPANY_SUSPENDED',
    NEW_ACCOUNT_RULES,
    'COMPANY_CANCELLED',
    'PLAN_ALREADY_HAS_PARENT',
    'UNKNOWN_CONTACT',
    'UNKNOWN_PARENT',
    'NOT_A_PARENT',
    'PARENT_NOT_ACTIVE',
  ],
});

export const listAccounts = /* @__PURE__ */ define({
  operationId: 'listAccounts',
  method: 'GET',
  path: '/v1/companies/{companyId}/accounts',
  summary: 'List accounts',
  tag: 'Accounts',
  allow: ['owner', 'admin', 'operator', 'billing', 'fullKey', 'readKey', 'companyAdmin'],
  query: listQuerySchema,
  response: { status: 200, body: 'AccountList', description: 'A page of accounts' },
  errors: [],
});

export const getAccount = /* @__PURE__ */ define({
  operationId: 'getAccount',
  method: 'GET',
  path: '/v1/companies/{companyId}/accounts/{accountId}',
  summary: 'One account',
  tag: 'Accounts',
  allow: ['owner', 'admin', 'operator', 'billing', 'fullKey', 'readKey', 'companyAdmin'],
  response: { status: 200, body: 'Account', description: 'The account' },
  errors: [],
});

export const updateAccount = /* @__PURE__ */ define({
  operationId: 'updateAccount',
  method: 'PATCH',
  path: '/v1/companies/{companyId}/accounts/{accountId}',
  summary: 'Resize, convert plan, extend trial or change contact',
  description:
    'Converting a parent converts its sub-accounts in the same write; a company admin resizes within the pool.',
  tag: 'Accounts',
  allow: ['owner', 'admin', 'operator', 'fullKey', 'companyAdmin'],
  body: updateAccountSchema,
  response: { status: 200, body: 'Account', description: 'The account as changed' },
  errors: [
    'COMPANY_SUSPENDED',
    'ACCOUNT_SUSPENDED',
    'COMPANY_CANCELLED',
    'ACCOUNT_CANCELLED',
    'ULTRASAFE_IMMUTABLE',
    'UNKNOWN_CONTACT',
    'SUB_ACCOUNT_FOLLOWS_PARENT',
    'PLAN_ALREADY_HAS_PARENT',
    'CANNOT_CONVERT_TO_TRIAL',
    'NOT_A_TRIAL',
    'QUOTA_NOT_ON_LADDER',
    'INVALID_QUOTA',
    'POOLED_QUOTA_REQUIRED',
    'POOL_EXCEEDED',
    'BELOW_USAGE',
    'TOO_MANY_SUB_ACCOUNTS',
  ],
});

export const cancelAccount = /* @__PURE__ */ define({
  operationId: 'cancelAccount',
  method: 'DELETE',
  path: '/v1/companies/{companyId}/accounts/{accountId}',
  summary: 'Cancel an account (and its sub-accounts)',
  tag: 'Accounts',
  allow: ['owner', 'admin', 'operator', 'fullKey', 'companyAdmin'],
  response: { status: 200, body: 'Account', description: 'The cancelled account' },
  errors: ['COMPANY_SUSPENDED', 'ACCOUNT_SUSPENDED', 'ADMIN_ACCOUNT', 'TOO_MANY_SUB_ACCOUNTS'],
});

export const resetPassword = /* @__PURE__ */ define({
  operationId: 'resetPassword',
  method: 'POST',
  path: '/v1/companies/{companyId}/accounts/{accountId}/password-reset',
  summary: 'A new temporary password, e-mailed to the account contact',
  description: 'Not for UltraSafe accounts. Earlier sessions of the account end at once.',
  tag: 'Accounts',
  allow: ['owner', 'admin', 'operator', 'fullKey', 'companyAdmin'],
  idempotency: 'replay',
  response: { status: 202, body: 'Account', description: 'The account; the e-mail is on its way' },
  errors: ['COMPANY_SUSPENDED', 'ACCOUNT_SUSPENDED', 'ACCOUNT_CANCELLED', 'UNRECOVERABLE_ACCOUNT'],
});

export const getUsage = /* @__PURE__ */ define({
  operationId: 'getUsage',
  method: 'GET',
  path: '/v1/companies/{companyId}/usage',
  summary: 'The Backup Account Usage table',
  description: 'A page of accounts with size, used and percent; the totals cover every account.',
  tag: 'Usage',
  allow: ['owner', 'admin', 'operator', 'billing', 'fullKey', 'readKey', 'companyAdmin'],
  query: listQuerySchema,
  response: { status: 200, body: 'UsageTable', description: 'A page of the usage table' },
  errors: [],
});

export const reportUsage = /* @__PURE__ */ define({
  operationId: 'reportUsage',
  method: 'POST',
  path: '/v1/usage-reports',
  summary: 'Usage reports from the storage service',
  description: 'Absolute figures: a report replaces the account’s earlier one.',
  tag: 'Usage',
  allow: ['storage'],
  body: usageReportsSchema,
  idempotency: 'replay',
  response: { status: 200, body: 'UsageReportResult', description: 'What was recorded' },
  errors: [],
});

export const listAudit = /* @__PURE__ */ define({
  operationId: 'listAudit',
  method: 'GET',
  path: '/v1/audit',
  summary: 'The audit log, newest first',
  description: 'A partner reads all of its log; a company admin the entries about its own company.',
  tag: 'Audit',
  allow: ['owner', 'admin', 'operator', 'billing', 'fullKey', 'readKey', 'companyAdmin'],
  query: listQuerySchema,
  response: { status: 200, body: 'AuditList', description: 'A page of audit entries' },
  errors: [],
});

export const listEvents = /* @__PURE__ */ define({
  operationId: 'listEvents',
  method: 'GET',
  path: '/v1/events',
  summary: 'The event feed, oldest first',
  description:
    'Every change, kept 30 days, from `after` (an event id: the last one the caller handled, from this feed or a webhook) onwards; `type` keeps only the types named (comma-separated). An event is listed 5 seconds after it happened, once every change made before it has committed, so a reader resuming from its last id misses nothing.',
  tag: 'Events',
  allow: ['owner', 'admin', 'operator', 'billing', 'fullKey', 'readKey'],
  query: eventQuerySchema,
  response: { status: 200, body: 'EventList', description: 'A page of events' },
  errors: [],
});

export const login = /* @__PURE__ */ define({
  operationId: 'login',
  method: 'POST',
  path: '/v1/auth/login',
  summary: 'Log in as a backup user or company admin',
  tag: 'Sessions',
  allow: ['anonymous'],
  body: loginSchema,
  idempotency: 'session',
  response: { status: 200, body: 'Session', description: 'A session' },
  errors: ['INVALID_CREDENTIALS', 'TEMPORARY_PASSWORD_EXPIRED', 'TOO_MANY_ATTEMPTS'],
});

export const changePassword = /* @__PURE__ */ define({
  operationId: 'changePassword',
  method: 'POST',
  path: '/v1/auth/password',
  summary: 'Replace the password',
  description:
    'The only call a temporary-password session may make. Ends every other session of the account (or staff member) and answers a new one. ' +
    "A staff member's new password may be neither its e-mail nor the e-mail's local part.",
  tag: 'Sessions',
  allow: ['companyAdmin', 'backupUser', 'owner', 'admin', 'operator', 'billing'],
  whilePasswordChangeRequired: true,
  // A staff member changes its temporary password before it can enrol a second factor.
  whileMfaEnrolmentRequired: true,
  body: changePasswordSchema,
  idempotency: 'session',
  response: {
    status: 200,
    body: 'PasswordChangeSession',
    description: "A new session: an account's, or a staff member's",
  },
  errors: ['WEAK_PASSWORD', 'INVALID_CURRENT_PASSWORD', 'TOO_MANY_ATTEMPTS'],
});

export const recover = /* @__PURE__ */ define({
  operationId: 'recover',
  method: 'POST',
  path: '/v1/auth/recover',
  summary: 'Set a new password with the secret answer',
  description: 'Not for UltraSafe accounts, whose password only their user can change.',
  tag: 'Sessions',
  allow: ['anonymous'],
  body: recoverSchema,
  idempotency: 'replay',
  response: { status: 204, description: 'The password is replaced' },
  errors: ['INVALID_SECRET_ANSWER', 'UNRECOVERABLE_ACCOUNT', 'WEAK_PASSWORD', 'TOO_MANY_ATTEMPTS'],
});

export const getMe = /* @__PURE__ */ define({
  operationId: 'getMe',
  method: 'GET',
  path: '/v1/me',
  summary: "The caller's own account",
  description: 'With features, quotas, usage and trial end: what the backup agent reads.',
  tag: 'Self',
  allow: ['backupUser', 'companyAdmin'],
  response: { status: 200, body: 'Account', description: 'The account' },
  errors: [],
});

export const updateMe = /* @__PURE__ */ define({
  operationId: 'updateMe',
  method: 'PATCH',
  path: '/v1/me',
  summary: "Set the caller's own user quota",
  description: 'null means no user quota; the effective quota is min(hard, user).',
  tag: 'Self',
  allow: ['backupUser', 'companyAdmin'],
  body: updateMeSchema,
  response: { status: 200, body: 'Account', description: 'The account as changed' },
  errors: ['COMPANY_SUSPENDED', 'ACCOUNT_CANCELLED'],
});

export const getPartner = /* @__PURE__ */ define({
  operationId: 'getPartner',
  method: 'GET',
  path: '/v1/partner',
  summary: "The caller's partner",
  description:
    'Its name and the storage ladder it may use (with or without fineIncrements): what the portal shows and offers.',
  tag: 'Self',
  // A company admin resizes within its pool on the same ladder.
  allow: ['owner', 'admin', 'operator', 'billing', 'fullKey', 'readKey', 'companyAdmin'],
  response: { status: 200, body: 'Partner', description: 'The partner' },
  errors: [],
});

export const getOpenApi = /* @__PURE__ */ define({
  operationId: 'getOpenApi',
  method: 'GET',
  path: '/v1/openapi.json',
  summary: 'This document',
  tag: 'Service',
  allow: ['anonymous'],
  response: { status: 200, body: 'OpenApiDocument', description: 'The OpenAPI 3.1 document' },
  errors: [],
});

export const createApiKey = /* @__PURE__ */ define({
  operationId: 'createApiKey',
  method: 'POST',
  path: '/v1/api-keys',
  summary: 'Create an API key of the partner',
  description:
    'The key is in this reply only; it is stored as a hash. No Idempotency-Key: a replay would have to store the key to answer it again, so a retried request makes a second key (revoke the one not kept). ' +
    'API keys cannot manage keys or staff: a leaked key cannot mint its successor.',
  tag: 'ApiKeys',
  allow: ['owner', 'admin'],
  body: createApiKeySchema,
  response: { status: 201, body: 'CreatedApiKey', description: 'The key, shown once' },
  errors: [],
});

export const listApiKeys = /* @__PURE__ */ define({
  operationId: 'listApiKeys',
  method: 'GET',
  path: '/v1/api-keys',
  summary: "List the partner's API keys",
  description: 'With prefix, creator and last use; never the keys themselves.',
  tag: 'ApiKeys',
  allow: ['owner', 'admin'],
  query: listQuerySchema,
  response: { status: 200, body: 'ApiKeyList', description: 'A page of API keys' },
  errors: [],
});

export const revokeApiKey = /* @__PURE__ */ define({
  operationId: 'revokeApiKey',
  method: 'DELETE',
  path: '/v1/api-keys/{keyId}',
  summary: 'Revoke an API key',
  description:
    'Final, and at once: the key is refused from the next request. A repeat answers the key as it is.',
  tag: 'ApiKeys',
  allow: ['owner', 'admin'],
  response: { status: 200, body: 'ApiKey', description: 'The revoked key' },
  errors: [],
});

export const createStaff = /* @__PURE__ */ define({
  operationId: 'createStaff',
  method: 'POST',
  path: '/v1/staff',
  summary: 'Invite a staff member',
  description:
    'A temporary password is generated and e-mailed to the new member. An admin cannot invite an owner.',
  tag: 'Staff',
  allow: ['owner', 'admin'],
  body: createStaffSchema,
  idempotency: 'replay',
  response: { status: 201, body: 'Staff', description: 'The staff member' },
  errors: ['STAFF_EMAIL_TAKEN'],
});

export const listStaff = /* @__PURE__ */ define({
  operationId: 'listStaff',
  method: 'GET',
  path: '/v1/staff',
  summary: 'List staff',
  tag: 'Staff',
  allow: ['owner', 'admin'],
  query: listQuerySchema,
  response: { status: 200, body: 'StaffList', description: 'A page of staff members' },
  errors: [],
});

export const updateStaff = /* @__PURE__ */ define({
  operationId: 'updateStaff',
  method: 'PATCH',
  path: '/v1/staff/{staffId}',
  summary: 'Change a staff member’s role or name',
  description: 'A new role ends the member’s sessions. An admin cannot change an owner.',
  tag: 'Staff',
  allow: ['owner', 'admin'],
  body: updateStaffSchema,
  response: { status: 200, body: 'Staff', description: 'The staff member as changed' },
  errors: ['LAST_OWNER', 'CONFLICT'],
});

export const removeStaff = /* @__PURE__ */ define({
  operationId: 'removeStaff',
  method: 'DELETE',
  path: '/v1/staff/{staffId}',
  summary: 'Remove a staff member',
  description: 'Ends the member’s sessions at once. An admin cannot remove an owner.',
  tag: 'Staff',
  allow: ['owner', 'admin'],
  response: { status: 200, body: 'Staff', description: 'The removed staff member' },
  errors: ['LAST_OWNER', 'CONFLICT'],
});

export const staffLogin = /* @__PURE__ */ define({
  operationId: 'staffLogin',
  method: 'POST',
  path: '/v1/auth/staff/login',
  summary: 'Log in as a staff member',
  description:
    'With MFA on, `totp` carries a current TOTP code or an unused recovery code; each is accepted once. ' +
    'An unknown e-mail and a wrong password get the same answer; failures are rate-limited like account logins.',
  tag: 'Sessions',
  allow: ['anonymous'],
  body: staffLoginSchema,
  idempotency: 'session',
  response: { status: 200, body: 'StaffSession', description: 'A staff session' },
  errors: [
    'INVALID_CREDENTIALS',
    'TEMPORARY_PASSWORD_EXPIRED',
    'MFA_REQUIRED',
    'INVALID_MFA_CODE',
    'TOO_MANY_ATTEMPTS',
  ],
});

export const setupMfa = /* @__PURE__ */ define({
  operationId: 'setupMfa',
  method: 'POST',
  path: '/v1/auth/mfa/setup',
  summary: 'Start a TOTP enrolment',
  description:
    'A new secret, pending until confirmed; a second setup replaces it. No Idempotency-Key: a replay would have to store the secret.',
  tag: 'Sessions',
  allow: ['owner', 'admin', 'operator', 'billing'],
  whileMfaEnrolmentRequired: true,
  response: { status: 200, body: 'MfaSetup', description: 'The secret to enrol' },
  errors: ['MFA_ALREADY_ENABLED', 'CONFLICT'],
});

export const confirmMfa = /* @__PURE__ */ define({
  operationId: 'confirmMfa',
  method: 'POST',
  path: '/v1/auth/mfa/confirm',
  summary: 'Confirm a TOTP enrolment with a code',
  description:
    'MFA is on from then, for this session too. The ten recovery codes are in this reply only (no Idempotency-Key: a replay would have to store them). A wrong code counts as a failed login.',
  tag: 'Sessions',
  allow: ['owner', 'admin', 'operator', 'billing'],
  whileMfaEnrolmentRequired: true,
  body: mfaConfirmSchema,
  response: { status: 200, body: 'RecoveryCodes', description: 'The recovery codes, shown once' },
  errors: ['INVALID_ENROLMENT_CODE', 'MFA_ALREADY_ENABLED', 'TOO_MANY_ATTEMPTS', 'CONFLICT'],
});

const WEBHOOK_CALLERS = ['owner', 'admin'] as const satisfies readonly CallerKind[];

export const createWebhook = /* @__PURE__ */ define({
  operationId: 'createWebhook',
  method: 'POST',
  path: '/v1/webhooks',
  summary: 'Register a webhook endpoint',
  description:
    'The URL must be https and its host must resolve only to public addresses (not loopback, private, link-local, metadata, CGNAT, unique-local or multicast); it is checked again before every delivery. ' +
    'The signing secret is in this reply only; it is stored encrypted. No Idempotency-Key: a replay would have to store the secret (remove an endpoint made twice). ' +
    'Without eventTypes the endpoint gets every type.',
  tag: 'Webhooks',
  allow: WEBHOOK_CALLERS,
  body: createWebhookSchema,
  response: {
    status: 201,
    body: 'WebhookWithSecret',
    description: 'The endpoint with its secret, shown once',
  },
  errors: [],
});

export const listWebhooks = /* @__PURE__ */ define({
  operationId: 'listWebhooks',
  method: 'GET',
  path: '/v1/webhooks',
  summary: "List the partner's webhook endpoints",
  tag: 'Webhooks',
  allow: WEBHOOK_CALLERS,
  query: listQuerySchema,
  response: { status: 200, body: 'WebhookList', description: 'A page of endpoints' },
  errors: [],
});

export const getWebhook = /* @__PURE__ */ define({
  operationId: 'getWebhook',
  method: 'GET',
  path: '/v1/webhooks/{webhookId}',
  summary: 'One webhook endpoint',
  tag: 'Webhooks',
  allow: WEBHOOK_CALLERS,
  response: { status: 200, body: 'Webhook', description: 'The endpoint' },
  errors: [],
});

export const updateWebhook = /* @__PURE__ */ define({
  operationId: 'updateWebhook',
  method: 'PATCH',
  path: '/v1/webhooks/{webhookId}',
  summary: 'Change a webhook endpoint',
  description:
    'A new URL is checked as at registration. `enabled: true` re-enables an endpoint disabled by a 410 or by 5 days of failures; `eventTypes: null` subscribes it to every type.',
  tag: 'Webhooks',
  allow: WEBHOOK_CALLERS,
  body: updateWebhookSchema,
  response: { status: 200, body: 'Webhook', description: 'The endpoint as changed' },
  errors: ['CONFLICT'],
});

export const deleteWebhook = /* @__PURE__ */ define({
  operationId: 'deleteWebhook',
  method: 'DELETE',
  path: '/v1/webhooks/{webhookId}',
  summary: 'Remove a webhook endpoint',
  description: 'Nothing more is sent to it, pending retries included.',
  tag: 'Webhooks',
  allow: WEBHOOK_CALLERS,
  response: { status: 200, body: 'Webhook', description: 'The removed endpoint' },
  errors: [],
});

export const rotateWebhookSecret = /* @__PURE__ */ define({
  operationId: 'rotateWebhookSecret',
  method: 'POST',
  path: '/v1/webhooks/{webhookId}/rotate-secret',
  summary: "Replace a webhook endpoint's signing secret",
  description:
    'The new secret is in this reply only. The previous one keeps signing for 24 hours: deliveries meanwhile carry a signature by each, so a receiver can switch at its own pace.',
  tag: 'Webhooks',
  allow: WEBHOOK_CALLERS,
  response: {
    status: 200,
    body: 'WebhookWithSecret',
    description: 'The endpoint with its new secret, shown once',
  },
  errors: ['CONFLICT'],
});

export const testWebhook = /* @__PURE__ */ define({
  operationId: 'testWebhook',
  method: 'POST',
  path: '/v1/webhooks/{webhookId}/test',
  summary: 'Send a test event to a webhook endpoint',
  description:
    'A `webhook.test` event, in the feed like any other and delivered to this endpoint only, within moments; its delivery shows in the endpoint’s delivery log.',
  tag: 'Webhooks',
  allow: WEBHOOK_CALLERS,
  idempotency: 'replay',
  response: { status: 202, body: 'Event', description: 'The test event, on its way' },
  errors: ['WEBHOOK_DISABLED'],
});

export const listWebhookDeliveries = /* @__PURE__ */ define({
  operationId: 'listWebhookDeliveries',
  method: 'GET',
  path: '/v1/webhooks/{webhookId}/deliveries',
  summary: "A webhook endpoint's delivery log, newest first",
  description:
    'Each event sent to the endpoint: status, attempts, last response status, next attempt. Kept 30 days.',
  tag: 'Webhooks',
  allow: WEBHOOK_CALLERS,
  query: listQuerySchema,
  response: { status: 200, body: 'WebhookDeliveryList', description: 'A page of deliveries' },
  errors: [],
});

export const retryWebhookDelivery = /* @__PURE__ */ define({
  operationId: 'retryWebhookDelivery',
  method: 'POST',
  path: '/v1/webhooks/{webhookId}/deliveries/{deliveryId}/retry',
  summary: 'Send a delivery again now',
  description:
    'One attempt, now, with the same `webhook-id`, whatever the delivery’s state (a given-up one included); the reply shows its outcome. A failure waits for the schedule’s next step.',
  tag: 'Webhooks',
  allow: WEBHOOK_CALLERS,
  response: { status: 200, body: 'WebhookDelivery', description: 'The delivery after the attempt' },
  errors: ['WEBHOOK_DISABLED'],
});

const SUSPENSION_DESCRIPTION =
  'Reasons stack, each at most once: suspending again for a reason already there, or reactivating one that is not, changes nothing and answers the object as it is. ' +
  'The contact (for a company, its admin’s contact) is e-mailed and an event written with each change.';

export const suspendCompany = /* @__PURE__ */ define({
  operationId: 'suspendCompany',
  method: 'POST',
  path: '/v1/companies/{companyId}/suspend',
  summary: 'Suspend the company for a reason',
  description: `${SUSPENSION_DESCRIPTION} While suspended, its accounts take no backups and its admin can read but not change anything; its accounts are not rewritten.`,
  tag: 'Companies',
  allow: ['owner', 'admin', 'operator', 'fullKey'],
  body: suspensionSchema,
  idempotency: 'replay',
  response: { status: 200, body: 'Company', description: 'The company as suspended' },
  errors: ['COMPANY_CANCELLED'],
});

export const reactivateCompany = /* @__PURE__ */ define({
  operationId: 'reactivateCompany',
  method: 'POST',
  path: '/v1/companies/{companyId}/reactivate',
  summary: 'Take one reason off the company’s suspension',
  description: `${SUSPENSION_DESCRIPTION} The company is active again once no reason is left.`,
  tag: 'Companies',
  allow: ['owner', 'admin', 'operator', 'fullKey'],
  body: suspensionSchema,
  idempotency: 'replay',
  response: { status: 200, body: 'Company', description: 'The company as reactivated' },
  errors: ['COMPANY_CANCELLED'],
});

export const suspendAccount = /* @__PURE__ */ define({
  operationId: 'suspendAccount',
  method: 'POST',
  path: '/v1/companies/{companyId}/accounts/{accountId}/suspend',
  summary: 'Suspend one account for a reason',
  description: `${SUSPENSION_DESCRIPTION} While suspended, the account takes no backups (its user can still log in) and its company admin cannot change it.`,
  tag: 'Accounts',
  allow: ['owner', 'admin', 'operator', 'fullKey'],
  body: suspensionSchema,
  idempotency: 'replay',
  response: { status: 200, body: 'Account', description: 'The account as suspended' },
  errors: ['ACCOUNT_CANCELLED'],
});

export const reactivateAccount = /* @__PURE__ */ define({
  operationId: 'reactivateAccount',
  method: 'POST',
  path: '/v1/companies/{companyId}/accounts/{accountId}/reactivate',
  summary: 'Take one reason off the account’s own suspension',
  description: `${SUSPENSION_DESCRIPTION} Only the account's own reasons: its company's are taken off the company. It is active again once neither has a reason left.`,
  tag: 'Accounts',
  allow: ['owner', 'admin', 'operator', 'fullKey'],
  body: suspensionSchema,
  idempotency: 'replay',
  response: { status: 200, body: 'Account', description: 'The account as reactivated' },
  errors: ['ACCOUNT_CANCELLED'],
});
