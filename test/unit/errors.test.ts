import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ERROR_DESCRIPTIONS } from '#lib/api/error-descriptions.ts';
import * as errors from '#lib/errors.ts';
import {
  AppError,
  conflict,
  type ErrorCode,
  type ErrorFactory,
  isErrorFactory,
  notFound,
  poolExceeded,
  routeNotFound,
} from '#lib/errors.ts';

type Catalogue = typeof errors;
type FactoryName = {
  [K in keyof Catalogue]: Catalogue[K] extends ErrorFactory ? K : never;
}[keyof Catalogue];

/**
 * Arguments to call every factory with. Typed by each factory's parameters, and required for
 * every factory, so a new factory fails to compile here until it has its sample.
 */
const SAMPLES: { [K in FactoryName]: Parameters<Catalogue[K]> } = {
  validationFailed: [[{ path: 'name', message: 'Required.' }]],
  unauthorized: [],
  forbidden: ['This route is not available to the caller.'],
  passwordChangeRequired: [],
  mfaEnrolmentRequired: [],
  lastOwner: [],
  staffEmailTaken: [],
  webhookDisabled: [],
  mfaRequired: [],
  invalidMfaCode: [],
  mfaAlreadyEnabled: [],
  invalidEnrolmentCode: [],
  notFound: ['Company'],
  methodNotAllowed: ['POST', '/v1/companies/{companyId}', ['GET', 'PATCH', 'DELETE']],
  internalError: [],
  idempotencyKeyReused: [],
  idempotencyInProgress: [],
  conflict: [],
  companyCancelled: [],
  companySuspended: [],
  accountSuspended: [],
  poolModeFixed: [],
  poolExceeded: [0, 5120],
  poolBelowAllocated: [10240],
  quotaNotOnLadder: ['hardQuotaMb', 153600, [102400, 204800]],
  invalidQuota: [{ kind: 'not-positive-integer' }],
  pooledQuotaRequired: [],
  belowUsage: [2048],
  usernameTaken: ['alice'],
  planAlreadyHasParent: ['basic'],
  accountCancelled: [],
  adminAccount: [],
  unknownContact: [],
  unknownParent: [],
  notAParent: [],
  parentNotActive: [],
  subAccountFollowsParent: ['plan'],
  tooManySubAccounts: [96, 95],
  cannotConvertToTrial: [],
  notATrial: [],
  weakPassword: ['password', ['Must be at least 8 characters long.']],
  ultrasafeNoSecretQuestion: [],
  ultrasafeImmutable: [],
  secretQuestionIncomplete: ['secretAnswer'],
  unrecoverableAccount: [],
  invalidCredentials: [],
  temporaryPasswordExpired: [],
  invalidCurrentPassword: [],
  invalidSecretAnswer: [],
  tooManyAttempts: ['login', 42],
};

/** Every code the service returns; `Record<ErrorCode, …>` makes the list match the type exactly. */
const CODES: Record<ErrorCode, true> = {
  VALIDATION_FAILED: true,
  UNAUTHORIZED: true,
  FORBIDDEN: true,
  PASSWORD_CHANGE_REQUIRED: true,
  MFA_ENROLMENT_REQUIRED: true,
  LAST_OWNER: true,
  STAFF_EMAIL_TAKEN: true,
  WEBHOOK_DISABLED: true,
  MFA_REQUIRED: true,
  INVALID_MFA_CODE: true,
  MFA_ALREADY_ENABLED: true,
  INVALID_ENROLMENT_CODE: true,
  NOT_FOUND: true,
  METHOD_NOT_ALLOWED: true,
  INTERNAL_ERROR: true,
  IDEMPOTENCY_KEY_REUSED: true,
  IDEMPOTENCY_IN_PROGRESS: true,
  CONFLICT: true,
  COMPANY_CANCELLED: true,
  COMPANY_SUSPENDED: true,
  ACCOUNT_SUSPENDED: true,
  POOL_MODE_FIXED: true,
  POOL_EXCEEDED: true,
  POOL_BELOW_ALLOCATED: true,
  QUOTA_NOT_ON_LADDER: true,
  INVALID_QUOTA: true,
  POOLED_QUOTA_REQUIRED: true,
  BELOW_USAGE: true,
  USERNAME_TAKEN: true,
  PLAN_ALREADY_HAS_PARENT: true,
  ACCOUNT_CANCELLED: true,
  ADMIN_ACCOUNT: true,
  UNKNOWN_CONTACT: true,
  UNKNOWN_PARENT: true,
  NOT_A_PARENT: true,
  PARENT_NOT_ACTIVE: true,
  SUB_ACCOUNT_FOLLOWS_PARENT: true,
  TOO_MANY_SUB_ACCOUNTS: true,
  CANNOT_CONVERT_TO_TRIAL: true,
  NOT_A_TRIAL: true,
  WEAK_PASSWORD: true,
  ULTRASAFE_NO_SECRET_QUESTION: true,
  ULTRASAFE_IMMUTABLE: true,
  SECRET_QUESTION_INCOMPLETE: true,
  UNRECOVERABLE_ACCOUNT: true,
  INVALID_CREDENTIALS: true,
  TEMPORARY_PASSWORD_EXPIRED: true,
  INVALID_CURRENT_PASSWORD: true,
  INVALID_SECRET_ANSWER: true,
  TOO_MANY_ATTEMPTS: true,
};

const factories: [string, ErrorFactory][] = [];
for (const [name, value] of Object.entries(errors)) {
  if (isErrorFactory(value)) factories.push([name, value]);
}

const build = (name: string): AppError => {
  const factory = (errors as Record<string, unknown>)[name] as (...args: unknown[]) => AppError;
  return factory(...(SAMPLES[name as FactoryName] as unknown[]));
};

const isInteger = (value: unknown) => typeof value === 'number' && Number.isInteger(value);
const HAS_TYPE = {
  integer: isInteger,
  'integer[]': (value: unknown) => Array.isArray(value) && value.every(isInteger),
  string: (value: unknown) => typeof value === 'string',
};

describe('the error catalogue', () => {
  it('finds the factories among the exports, and only them', () => {
    expect(factories.map(([name]) => name).sort()).toEqual(Object.keys(SAMPLES).sort());
    for (const value of [AppError, routeNotFound, isErrorFactory, errors.defineError, {}, null]) {
      expect(isErrorFactory(value)).toBe(false);
    }
  });

  it('has one factory per code, and a factory for every code', () => {
    const codes = factories.map(([, factory]) => factory.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort()).toEqual(Object.keys(CODES).sort());
  });

  it('describes exactly the codes of the catalogue', () => {
    expect(Object.keys(ERROR_DESCRIPTIONS).sort()).toEqual(
      factories.map(([, factory]) => factory.code).sort(),
    );
  });

  it('gives every code a distinct title', () => {
    const titles = factories.map(([, factory]) => factory.title);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it.each(factories)('%s: its definition is well-formed', (_name, factory) => {
    expect(factory.code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
    expect(Number.isInteger(factory.status)).toBe(true);
    expect(factory.status).toBeGreaterThanOrEqual(400);
    expect(factory.status).toBeLessThanOrEqual(599);
    expect(factory.title.trim()).not.toBe('');
    expect(factory.title).not.toMatch(/\.$/);
    const description = ERROR_DESCRIPTIONS[factory.code as ErrorCode];
    expect(description.trim()).not.toBe('');
    expect(description).toMatch(/\.$/);
    for (const type of Object.values(factory.extensions ?? {})) {
      expect(Object.keys(HAS_TYPE)).toContain(type);
    }
  });

  it.each(factories)('%s: builds an AppError of its definition', (name, factory) => {
    const error = build(name);
    expect(error).toBeInstanceOf(AppError);
    expect({ status: error.status, code: error.code, title: error.title }).toEqual({
      status: factory.status,
      code: factory.code,
      title: factory.title,
    });
    expect(error.detail.trim()).not.toBe('');
    for (const fieldError of error.errors) {
      expect(fieldError).toEqual({ path: expect.any(String), message: expect.any(String) });
    }
    const declared = factory.extensions ?? {};
    expect(Object.keys(error.extensions).sort()).toEqual(Object.keys(declared).sort());
    for (const [member, type] of Object.entries(declared)) {
      expect(HAS_TYPE[type](error.extensions[member]), `${member} is ${type}`).toBe(true);
    }
  });

  it('builds a fresh error each time, so one request cannot alter the next', () => {
    const first = build('weakPassword');
    (first.errors[0] as errors.FieldError).path = 'admin.password';
    expect(build('weakPassword').errors[0]?.path).toBe('password');
  });

  it('keeps the facts and the cause it is given', () => {
    expect(poolExceeded(100, 5120)).toMatchObject({
      status: 409,
      code: 'POOL_EXCEEDED',
      title: 'Not enough free space in the pool',
      detail: 'The company pool has 100 MB free; 5120 MB were requested.',
      errors: [],
      extensions: { freeMb: 100, requestedMb: 5120 },
    });
    const cause = new Error('TransactionCanceledException');
    expect(conflict({ cause }).cause).toBe(cause);
  });

  it('answers a request no route serves with NOT_FOUND', () => {
    const error = routeNotFound('GET', '/v1/nothing');
    expect({ status: error.status, code: error.code, title: error.title }).toEqual({
      status: notFound.status,
      code: notFound.code,
      title: notFound.title,
    });
    expect(error.detail).toBe('There is no GET /v1/nothing.');
  });

  it('keeps the literal code and status in the types', () => {
    expectTypeOf(poolExceeded.code).toEqualTypeOf<'POOL_EXCEEDED'>();
    expectTypeOf(poolExceeded.status).toEqualTypeOf<409>();
    expectTypeOf(poolExceeded).parameters.toEqualTypeOf<[freeMb: number, requestedMb: number]>();
    expectTypeOf<'NO_SUCH_CODE'>().not.toExtend<ErrorCode>();
  });
});

const ROOT = join(import.meta.dirname, '..', '..');

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

describe('the catalogue is the only place errors are made', () => {
  const building = [...sourceFiles('lib'), ...sourceFiles('functions')]
    .filter((file) => file !== join('lib', 'errors.ts'))
    .filter((file) => readFileSync(join(ROOT, file), 'utf8').includes('new AppError('))
    .sort();

  it('no file under lib/ or functions/ but lib/errors.ts builds an AppError', () => {
    expect(building).toEqual([]);
  });

  it('reads the sources it guards', () => {
    const own = readFileSync(join(ROOT, 'lib', 'errors.ts'), 'utf8');
    expect(sourceFiles('lib')).toContain(join('lib', 'store', 'table.ts'));
    expect(sourceFiles('functions')).toContain(join('functions', 'create-company.ts'));
    expect(own).toContain('new AppError(');
  });
});
