/**
 * The catalogue of errors the service means to return. Each code (SPEC §3) has one definition
 * here — its status, its title (one per problem type, RFC 9457), what it means to the caller and
 * the extension members it carries — and one factory that holds its wording: call sites pass only
 * the facts. An `AppError` becomes a problem document at the HTTP edge; anything else is an
 * unexpected 500 whose details stay in the logs.
 *
 * Every factory is its own top-level export and nothing here lists them all, so a bundle holds
 * only the definitions it uses. Whoever needs the whole catalogue (documentation, tests) reads it
 * with `import * as errors from '#lib/errors.ts'` and keeps the values `isErrorFactory` accepts.
 */
export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemOptions {
  /** The problem type's title; without one, a title is made from the code. */
  title?: string;
  detail?: string;
  errors?: FieldError[];
  /** Extra members added to the problem document (e.g. `freeMb`, `nearestMb`). */
  extensions?: Record<string, unknown>;
  /** Response headers the problem calls for (`Allow` on a 405). */
  headers?: Record<string, string>;
  cause?: unknown;
}

/** 'POOL_EXCEEDED' → 'Pool exceeded'. */
const titleOf = (code: string) => {
  const words = code.toLowerCase().replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldError[];
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, options: ProblemOptions = {}) {
    super(options.detail ?? code, { cause: options.cause });
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.title = options.title ?? titleOf(code);
    this.detail = options.detail ?? this.title;
    this.errors = options.errors ?? [];
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }
}

/** The JSON type of an extension member, as the OpenAPI document and README describe it. */
export type ExtensionType = 'integer' | 'integer[]' | 'string';

export interface ErrorDefinition {
  /** Stable upper-snake identifier, e.g. 'POOL_EXCEEDED'. */
  code: string;
  status: number;
  /** Short, one per code: what kind of problem it is. */
  title: string;
  /** The extension members every problem of this code carries. */
  extensions?: Record<string, ExtensionType>;
}

type ExtensionValue<T extends ExtensionType> = T extends 'integer'
  ? number
  : T extends 'integer[]'
    ? number[]
    : string;

type ExtensionsOf<D extends ErrorDefinition> =
  D['extensions'] extends Record<string, ExtensionType>
    ? { extensions: { [K in keyof D['extensions']]: ExtensionValue<D['extensions'][K]> } }
    : { extensions?: never };

/** What a factory's builder gives for one problem: the declared extensions, all of them. */
export type Problem<D extends ErrorDefinition> = {
  detail?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  cause?: unknown;
} & ExtensionsOf<D>;

/** A function that builds the `AppError` of one definition, carrying that definition. */
export type ErrorFactory<
  D extends ErrorDefinition = ErrorDefinition,
  A extends unknown[] = never[],
> = ((...args: A) => AppError) & Readonly<D>;

export function defineError<const D extends ErrorDefinition, A extends unknown[] = []>(
  definition: D,
  build?: (...args: A) => Problem<D>,
): ErrorFactory<D, A> {
  const factory = (...args: A) => problem(definition, build?.(...args) ?? {});
  return Object.assign(factory, definition);
}

/** An `AppError` of the definition, with its title; the wording comes from the caller. */
const problem = (definition: ErrorDefinition, options: ProblemOptions = {}): AppError =>
  new AppError(definition.status, definition.code, { ...options, title: definition.title });

export function isErrorFactory(value: unknown): value is ErrorFactory {
  if (typeof value !== 'function') return false;
  const candidate = value as unknown as Partial<Record<keyof ErrorDefinition, unknown>>;
  return (
    typeof candidate.code === 'string' &&
    typeof candidate.status === 'number' &&
    typeof candidate.title === 'string'
  );
}

type Catalogue = typeof import('./errors.ts');

/** Every code of the catalogue. */
export type ErrorCode = Extract<Catalogue[keyof Catalogue], ErrorFactory>['code'];

const GB = 1024;
const gbText = (mb: number) => `${mb / GB} GB`;

// ---- The HTTP edge ----------------------------------------------------------------------------

export const validationFailed = /* @__PURE__ */ defineError(
  {
    code: 'VALIDATION_FAILED',
    status: 400,
    title: 'Invalid request',
  },
  (errors: FieldError[], detail?: string) => ({
    detail: detail ?? 'The request is not valid.',
    errors,
  }),
);

export const unauthorized = /* @__PURE__ */ defineError(
  {
    code: 'UNAUTHORIZED',
    status: 401,
    title: 'Not authenticated',
  },
  (detail?: string) => ({ detail: detail ?? 'A valid bearer token is required.' }),
);

export const forbidden = /* @__PURE__ */ defineError(
  {
    code: 'FORBIDDEN',
    status: 403,
    title: 'Not allowed',
  },
  (detail: string) => ({ detail }),
);

export const passwordChangeRequired = /* @__PURE__ */ defineError(
  {
    code: 'PASSWORD_CHANGE_REQUIRED',
    status: 403,
    title: 'Password change required',
  },
  () => ({
    detail:
      'This session holds a temporary password: choose a new one with POST /v1/auth/password first.',
  }),
);

export const mfaEnrolmentRequired = /* @__PURE__ */ defineError(
  {
    code: 'MFA_ENROLMENT_REQUIRED',
    status: 403,
    title: 'Second factor enrolment required',
  },
  () => ({
    detail:
      'This staff session has no second factor yet: enrol one with POST /v1/auth/mfa/setup and POST /v1/auth/mfa/confirm first.',
  }),
);

export const notFound = /* @__PURE__ */ defineError(
  {
    code: 'NOT_FOUND',
    status: 404,
    title: 'Not found',
  },
  (what: string) => ({ detail: `${what} not found.` }),
);

/** NOT_FOUND for a request no route serves. */
export const routeNotFound = (method: string, path: string): AppError =>
  problem(notFound, { detail: `There is no ${method} ${path}.` });

export const methodNotAllowed = /* @__PURE__ */ defineError(
  {
    code: 'METHOD_NOT_ALLOWED',
    status: 405,
    title: 'Method not allowed',
  },
  (method: string, path: string, allowed: string[]) => ({
    detail: `${method} is not served at ${path}; it serves ${allowed.join(', ')}.`,
    headers: { allow: allowed.join(', ') },
  }),
);

export const internalError = /* @__PURE__ */ defineError(
  {
    code: 'INTERNAL_ERROR',
    status: 500,
    title: 'Internal error',
  },
  (options?: { cause?: unknown }) => ({
    detail: 'An unexpected error occurred.',
    cause: options?.cause,
  }),
);

export const idempotencyKeyReused = /* @__PURE__ */ defineError(
  {
    code: 'IDEMPOTENCY_KEY_REUSED',
    status: 422,
    title: 'Idempotency key reused',
  },
  () => ({ detail: 'This Idempotency-Key was used with another request body.' }),
);

export const idempotencyInProgress = /* @__PURE__ */ defineError(
  {
    code: 'IDEMPOTENCY_IN_PROGRESS',
    status: 409,
    title: 'Request in progress',
  },
  () => ({
    detail: 'A request with this Idempotency-Key is still being processed; retry shortly.',
  }),
);

export const conflict = /* @__PURE__ */ defineError(
  {
    code: 'CONFLICT',
    status: 409,
    title: 'Concurrent change',
  },
  (options?: { cause?: unknown }) => ({
    detail: 'The resource changed while the request was being applied; try again.',
    cause: options?.cause,
  }),
);

// ---- Companies and pools ----------------------------------------------------------------------

export const companyCancelled = /* @__PURE__ */ defineError(
  {
    code: 'COMPANY_CANCELLED',
    status: 409,
    title: 'Company cancelled',
  },
  () => ({ detail: 'The company is cancelled.' }),
);

export const poolModeFixed = /* @__PURE__ */ defineError(
  {
    code: 'POOL_MODE_FIXED',
    status: 409,
    title: 'Pool mode is fixed',
  },
  () => ({
    detail:
      'A pool can be resized but not added to or removed from an existing company: its accounts were provisioned for the other mode.',
    errors: [{ path: 'quotaMb', message: 'Resize only a company that has a pool.' }],
  }),
);

export const poolExceeded = /* @__PURE__ */ defineError(
  {
    code: 'POOL_EXCEEDED',
    status: 409,
    title: 'Not enough free space in the pool',
    extensions: { freeMb: 'integer', requestedMb: 'integer' },
  },
  (freeMb: number, requestedMb: number) => ({
    detail: `The company pool has ${freeMb} MB free; ${requestedMb} MB were requested.`,
    extensions: { freeMb, requestedMb },
  }),
);

export const poolBelowAllocated = /* @__PURE__ */ defineError(
  {
    code: 'POOL_BELOW_ALLOCATED',
    status: 409,
    title: 'Pool smaller than its allocations',
    extensions: { allocatedMb: 'integer' },
  },
  (allocatedMb: number) => ({
    detail: `${allocatedMb} MB of the pool are allocated; the pool cannot be smaller.`,
    extensions: { allocatedMb },
  }),
);

// ---- Quotas -----------------------------------------------------------------------------------

export const quotaNotOnLadder = /* @__PURE__ */ defineError(
  {
    code: 'QUOTA_NOT_ON_LADDER',
    status: 422,
    title: 'Size not on the storage ladder',
    extensions: { nearestMb: 'integer[]' },
  },
  (field: string, mb: number, nearestMb: [number, number]) => {
    const message = `${mb} MB is not a size on the storage ladder; the nearest are ${gbText(nearestMb[0])} and ${gbText(nearestMb[1])}.`;
    return {
      detail: `${field}: ${message}`,
      errors: [{ path: field, message }],
      extensions: { nearestMb },
    };
  },
);

/** Why a hard quota is invalid: not a positive whole number, or unlimited for a trial. */
export type InvalidQuotaReason =
  | { kind: 'not-positive-integer' }
  | { kind: 'unlimited-trial'; trialDefaultMb: number };

export const invalidQuota = /* @__PURE__ */ defineError(
  {
    code: 'INVALID_QUOTA',
    status: 422,
    title: 'Invalid quota',
  },
  (reason: InvalidQuotaReason) => {
    const message =
      reason.kind === 'unlimited-trial'
        ? `A trial has a finite quota: give a size in MB or leave it out for ${reason.trialDefaultMb} MB.`
        : 'Must be a whole number of MB greater than 0.';
    return { detail: `hardQuotaMb: ${message}`, errors: [{ path: 'hardQuotaMb', message }] };
  },
);

export const pooledQuotaRequired = /* @__PURE__ */ defineError(
  {
    code: 'POOLED_QUOTA_REQUIRED',
    status: 422,
    title: 'Pooled quota required',
  },
  () => ({
    detail: 'Accounts in a company with a storage pool have a finite quota.',
    errors: [
      { path: 'hardQuotaMb', message: 'Pooled accounts need a size on the storage ladder.' },
    ],
  }),
);

export const belowUsage = /* @__PURE__ */ defineError(
  {
    code: 'BELOW_USAGE',
    status: 409,
    title: 'Quota below usage',
    extensions: { usedMb: 'integer' },
  },
  (usedMb: number) => ({
    detail: `The account stores ${usedMb} MB; its quota cannot be smaller.`,
    extensions: { usedMb },
  }),
);

// ---- Accounts ---------------------------------------------------------------------------------

export const usernameTaken = /* @__PURE__ */ defineError(
  {
    code: 'USERNAME_TAKEN',
    status: 409,
    title: 'Username taken',
  },
  (username: string) => ({
    detail: `The username "${username}" is taken.`,
    errors: [{ path: 'username', message: 'This username is taken.' }],
  }),
);

export const planAlreadyHasParent = /* @__PURE__ */ defineError(
  {
    code: 'PLAN_ALREADY_HAS_PARENT',
    status: 409,
    title: 'Plan already has a parent account',
  },
  (plan: string) => ({
    detail: `The company already has a parent account on the ${plan} plan; add a sub-account to it instead.`,
  }),
);

export const accountCancelled = /* @__PURE__ */ defineError(
  {
    code: 'ACCOUNT_CANCELLED',
    status: 409,
    title: 'Account cancelled',
  },
  () => ({ detail: 'The account is cancelled.' }),
);

export const companySuspended = /* @__PURE__ */ defineError(
  {
    code: 'COMPANY_SUSPENDED',
    status: 409,
    title: 'Company suspended',
  },
  () => ({
    detail:
      'The company is suspended: its admin can read but not change anything until the partner reactivates it.',
  }),
);

export const accountSuspended = /* @__PURE__ */ defineError(
  {
    code: 'ACCOUNT_SUSPENDED',
    status: 409,
    title: 'Account suspended',
  },
  () => ({
    detail:
      'The account is suspended by the partner: the company admin cannot change it until the partner reactivates it.',
  }),
);

export const adminAccount = /* @__PURE__ */ defineError(
  {
    code: 'ADMIN_ACCOUNT',
    status: 409,
    title: 'Company admin account',
  },
  () => ({
    detail: 'The company admin account is cancelled with its company: cancel the company instead.',
  }),
);

export const unknownContact = /* @__PURE__ */ defineError(
  {
    code: 'UNKNOWN_CONTACT',
    status: 422,
    title: 'Unknown contact',
  },
  () => ({
    detail: 'The contact is not one of this company.',
    errors: [{ path: 'contactId', message: 'No such contact in this company.' }],
  }),
);

export const unknownParent = /* @__PURE__ */ defineError(
  {
    code: 'UNKNOWN_PARENT',
    status: 422,
    title: 'Unknown parent account',
  },
  () => ({
    detail: 'The parent account is not one of this company.',
    errors: [{ path: 'parentId', message: 'No such account in this company.' }],
  }),
);

export const notAParent = /* @__PURE__ */ defineError(
  {
    code: 'NOT_A_PARENT',
    status: 422,
    title: 'Not a parent account',
  },
  () => ({
    detail: 'A sub-account cannot have sub-accounts.',
    errors: [{ path: 'parentId', message: 'This account is a sub-account.' }],
  }),
);

export const parentNotActive = /* @__PURE__ */ defineError(
  {
    code: 'PARENT_NOT_ACTIVE',
    status: 409,
    title: 'Parent account not active',
  },
  () => ({ detail: 'The parent account is not active.' }),
);

export const subAccountFollowsParent = /* @__PURE__ */ defineError(
  {
    code: 'SUB_ACCOUNT_FOLLOWS_PARENT',
    status: 422,
    title: 'Sub-account follows its parent',
  },
  (field: 'plan' | 'trialDays') => ({
    detail: "A sub-account has its parent's plan and trial; change the parent instead.",
    errors: [{ path: field, message: 'Change the parent account.' }],
  }),
);

export const tooManySubAccounts = /* @__PURE__ */ defineError(
  {
    code: 'TOO_MANY_SUB_ACCOUNTS',
    status: 409,
    title: 'Too many sub-accounts',
    extensions: { subAccounts: 'integer', maxSubAccounts: 'integer' },
  },
  (subAccounts: number, maxSubAccounts: number) => ({
    detail: `This change applies to the parent and its ${subAccounts} sub-accounts; one transaction holds at most ${maxSubAccounts}. Nothing was changed: cancel or move sub-accounts first.`,
    extensions: { subAccounts, maxSubAccounts },
  }),
);

// ---- Plans and trials -------------------------------------------------------------------------

export const cannotConvertToTrial = /* @__PURE__ */ defineError(
  {
    code: 'CANNOT_CONVERT_TO_TRIAL',
    status: 422,
    title: 'Cannot convert to a trial',
  },
  () => ({
    detail: 'A paid account cannot become a trial.',
    errors: [{ path: 'plan', message: 'Choose basic or select.' }],
  }),
);

export const notATrial = /* @__PURE__ */ defineError(
  {
    code: 'NOT_A_TRIAL',
    status: 422,
    title: 'Not a trial',
  },
  () => ({
    detail: 'trialDays applies only to an account on the trial plan.',
    errors: [{ path: 'trialDays', message: 'The account is not on the trial plan.' }],
  }),
);

// ---- Passwords and secret questions -----------------------------------------------------------

export const weakPassword = /* @__PURE__ */ defineError(
  {
    code: 'WEAK_PASSWORD',
    status: 422,
    title: 'Weak password',
  },
  (field: string, problems: string[]) => ({
    detail: 'The password does not meet the password policy.',
    errors: problems.map((message) => ({ path: field, message })),
  }),
);

export const ultrasafeNoSecretQuestion = /* @__PURE__ */ defineError(
  {
    code: 'ULTRASAFE_NO_SECRET_QUESTION',
    status: 422,
    title: 'UltraSafe accounts have no secret question',
  },
  () => ({
    detail: 'An UltraSafe account has no secret question: its password can never be recovered.',
    errors: [
      { path: 'secretQuestion', message: 'UltraSafe accounts have no secret question or answer.' },
    ],
  }),
);

export const ultrasafeImmutable = /* @__PURE__ */ defineError(
  {
    code: 'ULTRASAFE_IMMUTABLE',
    status: 409,
    title: 'UltraSafe cannot change',
  },
  () => ({
    detail: 'Whether an account is UltraSafe is fixed when it is created.',
    errors: [{ path: 'ultraSafe', message: 'Cannot be changed.' }],
  }),
);

export const secretQuestionIncomplete = /* @__PURE__ */ defineError(
  {
    code: 'SECRET_QUESTION_INCOMPLETE',
    status: 422,
    title: 'Secret question incomplete',
  },
  (missing: 'secretQuestion' | 'secretAnswer') => ({
    detail: 'A secret question needs its answer, and an answer its question.',
    errors: [{ path: missing, message: 'Required together with the other.' }],
  }),
);

export const unrecoverableAccount = /* @__PURE__ */ defineError(
  {
    code: 'UNRECOVERABLE_ACCOUNT',
    status: 409,
    title: 'Password cannot be reset',
  },
  () => ({ detail: 'The password of an UltraSafe account can be changed only by its user.' }),
);

// ---- Sign-in and recovery ---------------------------------------------------------------------

export const invalidCredentials = /* @__PURE__ */ defineError(
  {
    code: 'INVALID_CREDENTIALS',
    status: 401,
    title: 'Wrong username or password',
  },
  () => ({ detail: 'The username or password is wrong.' }),
);

export const temporaryPasswordExpired = /* @__PURE__ */ defineError(
  {
    code: 'TEMPORARY_PASSWORD_EXPIRED',
    status: 401,
    title: 'Temporary password expired',
  },
  () => ({
    detail:
      'The temporary password is more than 7 days old. Ask your provider or company admin for a new one.',
  }),
);

export const invalidCurrentPassword = /* @__PURE__ */ defineError(
  {
    code: 'INVALID_CURRENT_PASSWORD',
    status: 422,
    title: 'Wrong current password',
  },
  () => ({
    detail: 'The current password is wrong.',
    errors: [{ path: 'currentPassword', message: 'Does not match the current password.' }],
  }),
);

export const invalidSecretAnswer = /* @__PURE__ */ defineError(
  {
    code: 'INVALID_SECRET_ANSWER',
    status: 401,
    title: 'Wrong secret answer',
  },
  () => ({ detail: 'The username and secret answer do not match.' }),
);

export const tooManyAttempts = /* @__PURE__ */ defineError(
  {
    code: 'TOO_MANY_ATTEMPTS',
    status: 429,
    title: 'Too many attempts',
    extensions: { retryAfterSeconds: 'integer' },
  },
  (kind: 'login' | 'recover', retryAfterSeconds: number) => {
    const what = kind === 'login' ? 'logins' : 'recovery attempts';
    const failed = retryAfterSeconds > 1 ? 'failed ' : '';
    const seconds = `${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}`;
    return {
      detail: `Too many ${failed}${what} for this username; try again in ${seconds}.`,
      extensions: { retryAfterSeconds },
    };
  },
);

// ---- Staff ------------------------------------------------------------------------------------

export const lastOwner = /* @__PURE__ */ defineError(
  {
    code: 'LAST_OWNER',
    status: 409,
    title: 'Last owner',
  },
  () => ({
    detail: "This is the partner's last active owner: make another staff member owner first.",
  }),
);

export const staffEmailTaken = /* @__PURE__ */ defineError(
  {
    code: 'STAFF_EMAIL_TAKEN',
    status: 409,
    title: 'E-mail taken',
  },
  () => ({
    detail: 'A staff member with this e-mail exists already.',
    errors: [{ path: 'email', message: 'This e-mail belongs to a staff member already.' }],
  }),
);

export const mfaRequired = /* @__PURE__ */ defineError(
  {
    code: 'MFA_REQUIRED',
    status: 401,
    title: 'MFA code required',
  },
  () => ({
    detail: 'Send the current code of your authenticator app (or a recovery code) as `totp`.',
  }),
);

export const invalidMfaCode = /* @__PURE__ */ defineError(
  {
    code: 'INVALID_MFA_CODE',
    status: 401,
    title: 'Wrong MFA code',
  },
  () => ({ detail: 'The code is wrong, expired or already used.' }),
);

export const mfaAlreadyEnabled = /* @__PURE__ */ defineError(
  {
    code: 'MFA_ALREADY_ENABLED',
    status: 409,
    title: 'MFA already enabled',
  },
  () => ({
    detail: 'This staff member has a second factor already; a new one cannot be set up over it.',
  }),
);

/**
 * A wrong code confirming an enrolment. Not INVALID_MFA_CODE: that one is a 401, which a
 * signed-in client would read as a lost session; this answers like INVALID_CURRENT_PASSWORD.
 */
export const invalidEnrolmentCode = /* @__PURE__ */ defineError(
  {
    code: 'INVALID_ENROLMENT_CODE',
    status: 422,
    title: 'Wrong enrolment code',
  },
  () => ({
    detail: 'The code does not match the secret being set up, or is outside its window.',
    errors: [{ path: 'code', message: 'Not a current code of the secret being set up.' }],
  }),
);

// ---- Webhooks ---------------------------------------------------------------------------------

export const webhookDisabled = /* @__PURE__ */ defineError(
  {
    code: 'WEBHOOK_DISABLED',
    status: 409,
    title: 'Webhook disabled',
  },
  () => ({
    detail: 'The endpoint is disabled: enable it (PATCH with enabled: true) to send to it again.',
  }),
);
