/**
 * What every tier and the bench build their cases from: scopes, unique names, request bodies,
 * sample events and the companies and accounts they need.
 *
 * Nothing here imports the service's clients at module load: the bench imports this file before
 * it points the environment at its own DynamoDB Local, so the use cases are imported on first use.
 */
import { randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import { type Principal, type StaffRole, toAuthorizerContext } from '#lib/auth/principal.ts';
import type { HttpEvent } from '#lib/http/handler.ts';
import type { Account } from '#lib/model.ts';
import { type CompanyScope, partnerScope, type TenantScope } from '#lib/provisioning/scope.ts';
import type { CreateAccountBody, CreateCompanyBody } from '#lib/schemas.ts';
import outboxInsertEvent from '../../events/dynamodb/outbox-insert.json' with { type: 'json' };
import authorizerRequestEvent from '../../events/http/authorizer-request.json' with {
  type: 'json',
};
import createCompanyEvent from '../../events/http/create-company.json' with { type: 'json' };
import loginEvent from '../../events/http/login.json' with { type: 'json' };

let sequence = 0;

/** A partner of its own per test: tests share one table and never see each other's data. */
export function newScope(options: { fineIncrements?: boolean; name?: string } = {}): TenantScope {
  const partnerId = ulid();
  return {
    partnerId,
    partnerName: options.name ?? 'Acme IT',
    fineIncrements: options.fineIncrements ?? false,
    companyId: null,
    actor: `partner:${partnerId}`,
    actingAs: null,
  };
}

/** The scope a company's route hands its use case: the tenant, pinned to that company. */
export const inCompany = (scope: TenantScope, companyId: string): CompanyScope => ({
  ...scope,
  companyId,
});

export const uniqueUsername = (prefix = 'user') =>
  `${prefix}.${Date.now().toString(36)}.${(sequence++).toString(36)}.${Math.random().toString(36).slice(2, 6)}`;

/** A lower-case name no other test or run uses: companies, usernames, e-mail local parts. */
export const uniqueName = (prefix: string) =>
  `${prefix}${Date.now().toString(36)}${(sequence++).toString(36)}${Math.random().toString(36).slice(2, 5)}`.toLowerCase();

/** Unique per call, so a scan of the table for it can only find this test's copy. */
export const strongPassword = (prefix = 'Pw') =>
  `${prefix}-${randomBytes(12).toString('base64url')}`;

type CompanyBodyOverrides = Partial<Omit<CreateCompanyBody, 'admin'>> & {
  admin?: Partial<CreateCompanyBody['admin']>;
};

/**
 * A 10 GB pool whose admin, with a unique username and no password, takes it whole. Without a
 * password no scrypt hash is computed, which is CPU by design.
 */
export function companyBody(overrides: CompanyBodyOverrides = {}): CreateCompanyBody {
  const username = uniqueUsername('admin');
  const { admin, ...company } = overrides;
  return {
    name: 'HighTech',
    quotaMb: 10240,
    contact: { fullName: 'Hanna Tech', email: `${username}@hightech.example` },
    ...company,
    admin: { username, plan: 'select', ...admin },
  };
}

/**
 * An account with a unique username: a parent on the basic plan, or with `parentId` a
 * sub-account, which follows its parent's plan.
 */
export function accountBody(overrides: Partial<CreateAccountBody> = {}): CreateAccountBody {
  const plan = overrides.parentId === undefined ? { plan: 'basic' as const } : {};
  return { username: uniqueUsername(), ...plan, ...overrides };
}

const samples: Record<string, unknown> = {
  'http/create-company': createCompanyEvent,
  'http/authorizer-request': authorizerRequestEvent,
  'http/login': loginEvent,
  'dynamodb/outbox-insert': outboxInsertEvent,
};

/** A sample event from events/, as a fresh copy the test may change. */
export function sampleEvent<T>(name: string): T {
  return structuredClone(samples[name]) as T;
}

type HttpSample = Record<string, unknown> & {
  routeKey: string;
  rawPath: string;
  body?: string;
  pathParameters?: Record<string, string>;
  headers: Record<string, string>;
  requestContext: Record<string, unknown> & {
    routeKey: string;
    authorizer: { lambda: Record<string, unknown> };
    http: Record<string, unknown> & { method: string; path: string };
  };
};

/** events/http/create-company.json as the partner `partnerId` sends it, with `body`. */
export function createCompanyRequest(
  partnerId: string,
  body: unknown,
  options: { idempotencyKey?: string } = {},
): HttpEvent {
  const event = sampleEvent<HttpSample>('http/create-company');
  event.requestContext.authorizer.lambda.partnerId = partnerId;
  event.body = typeof body === 'string' ? body : JSON.stringify(body);
  if (options.idempotencyKey) event.headers['idempotency-key'] = options.idempotencyKey;
  return event as unknown as HttpEvent;
}

/**
 * A sample POST from events/ sent to `path` with an Idempotency-Key, by `caller` when given
 * (otherwise as the sample's authorizer left it).
 */
export function idempotentPost(
  sample: 'http/create-company' | 'http/login',
  request: { path: string; body: unknown; idempotencyKey: string; caller?: Principal },
): HttpEvent {
  const event = sampleEvent<HttpSample>(sample);
  event.rawPath = request.path;
  event.routeKey = `POST ${request.path}`;
  event.body = request.body === undefined ? undefined : JSON.stringify(request.body);
  event.headers = { ...event.headers, 'idempotency-key': request.idempotencyKey };
  if (request.caller) {
    event.requestContext.authorizer = { lambda: { ...toAuthorizerContext(request.caller) } };
  }
  return event as unknown as HttpEvent;
}

/** An API Gateway v2 event for any route, built from events/http/create-company.json. */
export function partnerRequest(
  scope: TenantScope,
  request: {
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
    route: string;
    path: string;
    pathParameters?: Record<string, string>;
    body?: unknown;
    requestId?: string;
  },
): HttpEvent {
  const event = sampleEvent<HttpSample>('http/create-company');
  event.routeKey = `${request.method} ${request.route}`;
  event.rawPath = request.path;
  event.headers['x-request-id'] = request.requestId ?? `test-${ulid()}`;
  if (request.body === undefined) {
    delete event.headers['content-type'];
    delete event.body;
  } else {
    event.body = JSON.stringify(request.body);
  }
  if (request.pathParameters) event.pathParameters = request.pathParameters;
  event.requestContext.routeKey = event.routeKey;
  event.requestContext.http.method = request.method;
  event.requestContext.http.path = request.path;
  event.requestContext.authorizer.lambda = {
    kind: 'partner',
    partnerId: scope.partnerId,
    partnerName: scope.partnerName,
    fineIncrements: scope.fineIncrements,
    keyId: '01JEXAMPLEKEY0000000000000',
    keyScope: 'full',
  };
  return event as unknown as HttpEvent;
}

/** An anonymous GET as API Gateway passes it, with the given headers, built from nothing. */
export const anonymousRequest = (path: string, headers: Record<string, string> = {}): HttpEvent =>
  ({
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers,
    requestContext: {
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'unit' },
      authorizer: { lambda: { kind: 'anonymous' } },
    },
    isBase64Encoded: false,
  }) as unknown as HttpEvent;

/** A company created for `scope` through the use case, with the scope kept beside it. */
export async function createCompanyFor(
  scope: TenantScope,
  overrides: CompanyBodyOverrides = {},
  now?: Date,
) {
  const { createCompany } = await import('#lib/provisioning/companies.ts');
  const created = await createCompany(scope, companyBody(overrides), now);
  return { scope, ...created, companyScope: inCompany(scope, created.company.id) };
}

/** A company with a 50 GB pool whose admin holds 10 GB, so 40 GB are free. */
export const pooledCompany = (scope = newScope()) =>
  createCompanyFor(scope, { quotaMb: 51200, admin: { hardQuotaMb: 10240 } });

/** An account created in the company through the use case: a basic parent unless told otherwise. */
export async function createAccountIn(
  scope: CompanyScope,
  overrides: Partial<CreateAccountBody> = {},
  now?: Date,
) {
  const { createAccount } = await import('#lib/provisioning/accounts.ts');
  return createAccount(scope, accountBody(overrides), now);
}

/** A partner as the authorizer resolves it from its own new API key, and the scope it acts in. */
export async function newPartner(name: string, fineIncrements = false) {
  const { principalForApiKey } = await import('#lib/auth/api-keys.ts');
  const { createPartner } = await import('#lib/provisioning/partners.ts');
  const { partnerId, apiKey } = await createPartner(name, fineIncrements);
  const principal = await principalForApiKey(apiKey);
  if (principal.kind !== 'partner') throw new Error('The new API key did not resolve');
  return { partnerId, apiKey, principal, scope: partnerScope(principal) };
}

/**
 * An account record as the store holds it: an active basic parent with no password yet, whose
 * fields a test overrides to what it is about.
 */
export const accountRecord = (overrides: Partial<Account> = {}): Account => ({
  id: 'A1',
  partnerId: 'P1',
  companyId: 'C1',
  username: 'hanna.laptop',
  kind: 'parent',
  parentId: null,
  plan: 'basic',
  contactId: 'C1',
  status: 'active',
  hardQuotaMb: 10240,
  userQuotaMb: null,
  usedMb: 0,
  ultraSafe: false,
  secretQuestion: null,
  secretAnswerHash: null,
  passwordHash: null,
  passwordIssuedAt: null,
  mustChangePassword: true,
  trialEndsAt: null,
  trialStage: null,
  subAccountCount: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

/** The authorizer's context for a staff member signed in, enrolled, with ten minutes left. */
export const staffAuthorizerContext = (partnerId: string, role: StaffRole, staffId = ulid()) =>
  toAuthorizerContext({
    kind: 'partner',
    partnerId,
    partnerName: 'Staff IT',
    fineIncrements: false,
    via: {
      type: 'staff',
      id: staffId,
      role,
      mustChangePassword: false,
      mfaEnrolled: true,
      expiresAtSeconds: Math.floor(Date.now() / 1000) + 600,
    },
  });

/**
 * A staff member of `partnerId` with a known password, stored as an invitation leaves it: the
 * member and its e-mail marker, then the password's hash (temporary unless told otherwise).
 */
export async function staffWithPassword(
  partnerId: string,
  options: {
    role?: StaffRole;
    password?: string;
    mustChangePassword?: boolean;
    passwordIssuedAt?: Date;
  } = {},
) {
  const { newStaffSteps, setStaffPasswordStep } = await import('#lib/store/staff.ts');
  const { transact } = await import('#lib/store/table.ts');
  const { hashSecret } = await import('#lib/auth/secrets.ts');
  const at = new Date().toISOString();
  const staff = {
    id: ulid(),
    partnerId,
    email: `${uniqueName('staff.')}@partner.example`,
    fullName: 'Sam Staff',
    role: options.role ?? 'owner',
    status: 'active' as const,
    mfaEnabled: false,
    createdAt: at,
    updatedAt: at,
  };
  const password = options.password ?? strongPassword('Stf');
  await transact(newStaffSteps(staff));
  await transact([
    setStaffPasswordStep(
      staff,
      await hashSecret(password),
      (options.passwordIssuedAt ?? new Date()).toISOString(),
      options.mustChangePassword ?? true,
    ),
  ]);
  return { staff, email: staff.email, password };
}
