/**
 * What each error means to the caller, for the OpenAPI document and the README's catalogue.
 * Kept apart from the factories so no function's bundle carries the documentation; the type
 * makes every code of the catalogue have its line.
 */
import type { ErrorCode } from '#lib/errors.ts';

export const ERROR_DESCRIPTIONS: Record<ErrorCode, string> = {
  VALIDATION_FAILED:
    'The request is malformed (JSON, types, unknown or missing fields, size); `errors` names each field, and nothing was done.',
  UNAUTHORIZED: 'The request has no valid bearer token, or its session has expired.',
  FORBIDDEN: 'The caller is known but its role may not do this.',
  PASSWORD_CHANGE_REQUIRED:
    'The session comes from a temporary password: only POST /v1/auth/password is served until a new one is chosen.',
  MFA_ENROLMENT_REQUIRED:
    'A staff member signed in without a second factor: only TOTP enrolment is served until it is confirmed.',
  NOT_FOUND:
    'Nothing the caller may see has this id or path; an id of another partner or company is not found either.',
  METHOD_NOT_ALLOWED:
    'The path exists but does not serve this method; `Allow` lists those it serves.',
  INTERNAL_ERROR: 'Something unexpected failed; the request id finds it in the logs.',
  IDEMPOTENCY_KEY_REUSED: 'The Idempotency-Key was used within 24 hours with another request body.',
  IDEMPOTENCY_IN_PROGRESS:
    'A request with the same Idempotency-Key is still being processed; retry it shortly.',
  CONFLICT:
    'What the request read changed before it could be written, under sustained contention; nothing was written and it can be retried.',
  COMPANY_SUSPENDED:
    'The company is suspended: its company admin may read but every change is refused until the partner reactivates it.',
  ACCOUNT_SUSPENDED:
    'The account is suspended on its own: its company admin may read it but not change it until the partner reactivates it.',
  COMPANY_CANCELLED: 'The company is cancelled: it and its accounts can no longer be changed.',
  POOL_MODE_FIXED:
    'A company keeps for life whether it has a storage pool: a pool can be resized, not added or removed.',
  POOL_EXCEEDED: "The change needs more of the company's pool than is free.",
  POOL_BELOW_ALLOCATED: 'A pool cannot shrink below what its accounts are allocated.',
  QUOTA_NOT_ON_LADDER:
    'Pooled sizes are 5, 10, 25, 50, 100 GB then steps of 100 GB (50 GB with the entitlement); `nearestMb` gives the two nearest.',
  INVALID_QUOTA: 'The hard quota is not a whole number of MB above 0, or is unlimited for a trial.',
  POOLED_QUOTA_REQUIRED: 'An account in a company with a pool cannot be unlimited.',
  BELOW_USAGE: 'An account quota cannot be set below what the account already stores.',
  USERNAME_TAKEN: 'Usernames are unique across the service and never reused, even once cancelled.',
  PLAN_ALREADY_HAS_PARENT:
    'A company has at most one parent account per plan; further accounts on that plan are its sub-accounts.',
  ACCOUNT_CANCELLED: 'The account is cancelled and can no longer be changed.',
  ADMIN_ACCOUNT:
    'The company admin account is cancelled only with its company, by cancelling the company.',
  UNKNOWN_CONTACT: "The contactId names no contact of the account's company.",
  UNKNOWN_PARENT: "The parentId names no account of the new sub-account's company.",
  NOT_A_PARENT: 'The parentId names a sub-account; sub-accounts have no sub-accounts.',
  PARENT_NOT_ACTIVE: 'A sub-account is added only to an active parent account.',
  SUB_ACCOUNT_FOLLOWS_PARENT:
    "A sub-account has its parent's plan and trial: they change on the parent.",
  TOO_MANY_SUB_ACCOUNTS:
    'A change to a parent applies to all its sub-accounts in one transaction, and this parent has more than one transaction holds; nothing was changed.',
  CANNOT_CONVERT_TO_TRIAL: 'A paid account cannot be converted to the trial plan.',
  NOT_A_TRIAL: 'trialDays was given for an account that is not on the trial plan.',
  WEAK_PASSWORD: 'The password breaks the password policy; `errors` gives each rule it breaks.',
  ULTRASAFE_NO_SECRET_QUESTION:
    'An UltraSafe account is created without a secret question or answer: its password can never be recovered.',
  ULTRASAFE_IMMUTABLE: 'Whether an account is UltraSafe is fixed when it is created.',
  SECRET_QUESTION_INCOMPLETE: 'A secret question and its answer are given together or not at all.',
  UNRECOVERABLE_ACCOUNT:
    'The password of an UltraSafe account cannot be reset or recovered, only changed by its user.',
  INVALID_CREDENTIALS: 'The username and password do not match an account that may sign in.',
  TEMPORARY_PASSWORD_EXPIRED:
    'A temporary password is usable for 7 days; after that a new one must be issued.',
  INVALID_CURRENT_PASSWORD: 'A password change gave a current password that is not the account’s.',
  INVALID_SECRET_ANSWER:
    'The username and secret answer do not match an account that may be recovered.',
  TOO_MANY_ATTEMPTS:
    'Too many failed sign-ins or recoveries for this username; `retryAfterSeconds` (and `Retry-After`) says when to try again.',
  LAST_OWNER:
    "The partner's last active owner cannot be removed or given another role; nothing was changed.",
  STAFF_EMAIL_TAKEN: 'A staff member (of any partner) has this e-mail already.',
  WEBHOOK_DISABLED:
    'The webhook endpoint is disabled (by the partner, after a 410, or after 5 days of failures); PATCH it with enabled: true first.',
  MFA_REQUIRED:
    'The password is right and the staff member has MFA on: repeat the login with `totp` (a current code or a recovery code).',
  INVALID_MFA_CODE:
    'The MFA code is wrong, outside its window or used already; it counts as a failed login.',
  MFA_ALREADY_ENABLED:
    'The staff member has a second factor already: setup is only for a member without one.',
  INVALID_ENROLMENT_CODE:
    'The code confirming a TOTP enrolment is not a current code of the secret being set up; it counts as a failed login.',
};
