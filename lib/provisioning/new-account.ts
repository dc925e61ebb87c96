/**
 * Builds a new account from a creation request: applies the plan, trial, quota, password and
 * UltraSafe rules. Shared by company creation (the admin account) and account creation.
 */
import { hashSecret } from '#lib/auth/secrets.ts';
import { AppError, notATrial } from '#lib/errors.ts';
import type { Account, AccountKind } from '#lib/model.ts';
import { assertPassword, normalizeSecretAnswer } from '#lib/rules/passwords.ts';
import type { PlanName } from '#lib/rules/plans.ts';
import { decideHardQuota } from '#lib/rules/quota.ts';
import { firstPendingStage, TRIAL_DEFAULT_DAYS, trialEndsAt } from '#lib/rules/trials.ts';
import { assertUltraSafeCreation } from '#lib/rules/ultrasafe.ts';

export interface AccountRequest {
  username: string;
  password?: string;
  ultraSafe?: boolean;
  secretQuestion?: string;
  secretAnswer?: string;
  hardQuotaMb?: number | null;
  userQuotaMb?: number | null;
  trialDays?: number;
}

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

export interface NewAccount {
  account: Account;
  pooledMb: number;
}

/** Rules report field paths relative to the account; the request may nest it. */
export async function withFieldPrefix<T>(prefix: string, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (prefix && error instanceof AppError) {
      for (const fieldError of error.errors) fieldError.path = prefix + fieldError.path;
    }
    throw error;
  }
}

export async function buildNewAccount(input: NewAccountInput): Promise<NewAccount> {
  const { request, now } = input;
  const ultraSafe = request.ultraSafe ?? false;
  const { hardQuotaMb, pooledMb } = await withFieldPrefix(input.fieldPrefix, () => {
    assertUltraSafeCreation({
      ultraSafe,
      secretQuestion: request.secretQuestion,
      secretAnswer: request.secretAnswer,
    });
    if (request.trialDays !== undefined && input.plan !== 'trial') {
      throw notATrial();
    }
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
  const createdAt = now.toISOString();
  const endsAt =
    input.plan !== 'trial'
      ? null
      : input.parent
        ? input.parent.trialEndsAt
        : trialEndsAt(createdAt, request.trialDays ?? TRIAL_DEFAULT_DAYS);
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
    secretAnswerHash: request.secretAnswer
      ? await hashSecret(normalizeSecretAnswer(request.secretAnswer))
      : null,
    // A password the creator chose is the temporary password; otherwise the mailer generates
    // one at send time and stores only its hash.
    passwordHash: request.password !== undefined ? await hashSecret(request.password) : null,
    passwordIssuedAt: request.password !== undefined ? createdAt : null,
    mustChangePassword: true,
    trialEndsAt: endsAt,
    // Only a parent is filed in the trial index: its sub-accounts follow it.
    trialStage: endsAt && input.kind === 'parent' ? firstPendingStage(endsAt, createdAt) : null,
    subAccountCount: 0,
    createdAt,
    updatedAt: createdAt,
  };
  return { account, pooledMb };
}
