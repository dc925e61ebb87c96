/**
 * A new account as pure decisions: the plan, trial, quota, password and UltraSafe rules applied
 * to a creation request, and for account creation the parent and contact it resolves to, what
 * it takes from the pool and which markers it claims. Nothing here reads or writes: the use case
 * reads what the request names, plans with this, hashes the secrets and writes the plan.
 */
import {
  AppError,
  companyCancelled,
  notAParent,
  notFound,
  parentNotActive,
  planAlreadyHasParent,
  unknownContact,
  unknownParent,
} from '#lib/errors.ts';
import type { Account, AccountKind, Company, Contact, ListedTotals } from '#lib/model.ts';
import type { CreateAccountBody } from '#lib/schemas.ts';
import { listedDelta } from './listed-totals.ts';
import { assertPassword } from './passwords.ts';
import type { PlanName } from './plans.ts';
import { assertFitsPool, decideHardQuota, type LadderOptions } from './quota.ts';
import { assertTrialDaysApply, openingTrial } from './trials.ts';
import { assertUltraSafeCreation } from './ultrasafe.ts';

/** What an account's own request gives, in a new account's body or a new company's admin. */
export type AccountRequest = Pick<
  CreateAccountBody,
  | 'username'
  | 'password'
  | 'ultraSafe'
  | 'secretQuestion'
  | 'secretAnswer'
  | 'hardQuotaMb'
  | 'userQuotaMb'
  | 'trialDays'
>;

export interface NewAccountInput {
  request: AccountRequest;
  id: string;
  partnerId: string;
  companyId: string;
  kind: AccountKind;
  parent: Account | null;
  plan: PlanName;
  contactId: string;
  poolMb: number | null;
  isCompanyAdmin: boolean;
  fineIncrements: boolean;
  /** Prefix of field paths in errors, e.g. `admin.` when the account sits in a company body. */
  fieldPrefix: string;
  now: Date;
}

/** The secrets a request gives in the clear; hashed (with a random salt) before the write. */
export interface AccountSecrets {
  password: string | undefined;
  secretAnswer: string | undefined;
}

export interface NewAccountRecord {
  /** The account as it is written, but for the hashes of `secrets`, still null. */
  account: Account;
  secrets: AccountSecrets;
  /** What the account counts in the pool's `allocatedMb`. */
  pooledMb: number;
}

/** Rules report field paths relative to the account; the request may nest it. */
export function withFieldPrefix<T>(prefix: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (prefix && error instanceof AppError) {
      for (const fieldError of error.errors) fieldError.path = prefix + fieldError.path;
    }
    throw error;
  }
}

/**
 * A new account from a creation request. Shared by company creation (the admin account) and
 * account creation.
 */
export function newAccountRecord(input: NewAccountInput): NewAccountRecord {
  const { request } = input;
  const ultraSafe = request.ultraSafe ?? false;
  const { hardQuotaMb, pooledMb } = withFieldPrefix(input.fieldPrefix, () => {
    assertUltraSafeCreation({
      ultraSafe,
      secretQuestion: request.secretQuestion,
      secretAnswer: request.secretAnswer,
    });
    assertTrialDaysApply(input.plan, request.trialDays);
    if (request.password !== undefined) {
      assertPassword(request.password, request.username, 'password');
    }
    return decideHardQuota({
      plan: input.plan,
      requestedMb: request.hardQuotaMb,
      poolMb: input.poolMb,
      isCompanyAdmin: input.isCompanyAdmin,
      fineIncrements: input.fineIncrements,
    });
  });
  const createdAt = input.now.toISOString();
  const trial = openingTrial({
    plan: input.plan,
    isParent: input.kind === 'parent',
    parentTrialEndsAt: input.parent?.trialEndsAt ?? null,
    trialDays: request.trialDays,
    createdAt,
  });
  const account: Account = {
    id: input.id,
    partnerId: input.partnerId,
    companyId: input.companyId,
    username: request.username,
    kind: input.kind,
    parentId: input.parent?.id ?? null,
    plan: input.plan,
    contactId: input.contactId,
    status: 'active',
    hardQuotaMb,
    userQuotaMb: request.userQuotaMb ?? null,
    usedMb: 0,
    ultraSafe,
    secretQuestion: request.secretQuestion ?? null,
    secretAnswerHash: null,
    // A password the creator chose is the temporary password; otherwise the mailer generates
    // one at send time and stores only its hash.
    passwordHash: null,
    passwordIssuedAt: request.password !== undefined ? createdAt : null,
    mustChangePassword: true,
    ...trial,
    subAccountCount: 0,
    createdAt,
    updatedAt: createdAt,
  };
  return {
    account,
    secrets: { password: request.password, secretAnswer: request.secretAnswer },
    pooledMb,
  };
}

/** How a plan moves the company's pool counter and the usage table's totals. */
export interface PoolChange {
  /** MB taken from (positive) or returned to (negative) the pool. */
  pooledDeltaMb: number;
  accountCountDelta: number;
  /** Whether the company has a pool (fixed for the company's life). */
  pooled: boolean;
  /** Whether the company must still be active: so for anything that takes storage. */
  requireActive: boolean;
  listed: ListedTotals;
}

/** The audit entry a plan files, without who acted and when: the use case knows those. */
export interface PlannedAudit {
  action: string;
  targetType: 'account';
  targetId: string;
  companyId: string;
  details: Record<string, unknown>;
}

export interface NewAccountPlanInput {
  partnerId: string;
  companyId: string;
  body: CreateAccountBody;
  /** Fresh ids: the account's, and the contact's if the request makes one. */
  ids: { account: string; contact: string };
  /** As read: the company, the parent the body names and the contact the account would get. */
  company: Company | null;
  parent: Account | null;
  contact: Contact | null;
  /** Whether the plan of a new parent already has its parent account in the company. */
  planHasParent: boolean;
  ladder: LadderOptions;
  now: Date;
}

export interface NewAccountPlan extends NewAccountRecord {
  at: string;
  company: Company;
  contact: Contact;
  /** The contact is made with the account and written with it. */
  newContact: boolean;
  /** The parent a sub-account is counted on, on the condition that it is still active. */
  parent: Account | null;
  /** A new parent claims its plan's one-parent marker. */
  claimsParentMarker: PlanName | null;
  pool: PoolChange;
  audit: PlannedAudit;
}

/**
 * The contact a new account gets: one made with it, the one it names, or by default the
 * company's admin contact (read under the company's id).
 */
function resolveContact(input: NewAccountPlanInput, at: string): Contact {
  const { body } = input;
  if (body.contact) {
    return {
      id: input.ids.contact,
      companyId: input.companyId,
      fullName: body.contact.fullName,
      email: body.contact.email,
      phone: body.contact.phone ?? null,
      createdAt: at,
    };
  }
  if (input.contact) return input.contact;
  if (body.contactId) throw unknownContact();
  throw new Error(`Company ${input.companyId} has no admin contact`);
}

/** A sub-account's parent: in the company, a parent itself, and active. */
function resolveParent(input: NewAccountPlanInput): Account | null {
  if (!input.body.parentId) return null;
  const { parent } = input;
  if (!parent) throw unknownParent();
  if (parent.kind !== 'parent') throw notAParent();
  if (parent.status !== 'active') throw parentNotActive();
  return parent;
}

/**
 * A parent account (its own plan) or a sub-account (its parent's plan). The read decides what
 * it can; the transaction still holds the pool counter, the username and the one-parent marker
 * as its conditions.
 */
export function planNewAccount(input: NewAccountPlanInput): NewAccountPlan {
  const { body, company } = input;
  if (!company) throw notFound('Company');
  if (company.status !== 'active') throw companyCancelled();
  const parent = resolveParent(input);
  const plan = (parent?.plan ?? body.plan) as PlanName;
  const at = input.now.toISOString();
  const contact = resolveContact(input, at);
  const record = newAccountRecord({
    request: body,
    id: input.ids.account,
    partnerId: input.partnerId,
    companyId: input.companyId,
    kind: parent ? 'sub' : 'parent',
    parent,
    plan,
    contactId: contact.id,
    poolMb: company.quotaMb,
    isCompanyAdmin: false,
    fineIncrements: input.ladder.fineIncrements,
    fieldPrefix: '',
    now: input.now,
  });
  const { account, pooledMb } = record;
  // What the request itself gets wrong is told first (422), then the plan, then the pool (409).
  if (!parent && input.planHasParent) throw planAlreadyHasParent(plan);
  assertFitsPool(company, pooledMb);
  return {
    ...record,
    at,
    company,
    contact,
    newContact: body.contact !== undefined,
    parent,
    claimsParentMarker: account.kind === 'parent' ? plan : null,
    pool: {
      pooledDeltaMb: pooledMb,
      accountCountDelta: 1,
      pooled: company.quotaMb !== null,
      requireActive: true,
      listed: listedDelta([], [account]),
    },
    audit: {
      action: 'account.create',
      targetType: 'account',
      targetId: account.id,
      companyId: input.companyId,
      details: {
        username: account.username,
        plan,
        kind: account.kind,
        hardQuotaMb: account.hardQuotaMb,
      },
    },
  };
}
