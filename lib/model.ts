/**
 * The domain records as the service holds them, and the views it returns (SPEC §3). Views are
 * built only here so no handler can leak a hash or an answer by accident.
 */
import type * as z from 'zod/mini';
import type { accountResponse, companyResponse, contactResponse } from '#lib/api/responses.ts';
import type { AlertLevel } from '#lib/rules/alert-levels.ts';
import {
  type AccountStatus,
  type CompanyAddOns,
  featuresFor,
  type PlanName,
} from '#lib/rules/plans.ts';
import { effectiveQuotaMb, freeMb, percentUsed } from '#lib/rules/quota.ts';
import { combinedSuspension, isSuspended, type Suspension } from '#lib/rules/suspension.ts';
import type { TrialStage } from '#lib/rules/trials.ts';

export type CompanyStatus = CompanyView['status'];
export type AccountKind = AccountView['kind'];

export interface Company {
  id: string;
  partnerId: string;
  name: string;
  /** The storage pool; null when the company has none. */
  quotaMb: number | null;
  allocatedMb: number;
  usedMb: number;
  accountCount: number;
  /**
   * The usage table's totals over the accounts it lists (those not cancelled, `accountCount` of
   * them), moved in the transactions that change those accounts; absent on a company written
   * before they were kept, until the table first computes them.
   */
  listed?: ListedTotals;
  licenses: { egr: number; spV5: number };
  endGuard: boolean;
  status: CompanyStatus;
  /** Absent on a company written before suspension existed: not suspended. */
  suspension?: Suspension | null;
  /** The quota alert level the pool's use last reached (SPEC §2.9); absent = 0. */
  alertLevel?: AlertLevel;
  adminAccountId: string;
  adminContactId: string;
  createdAt: string;
  updatedAt: string;
}

export interface ListedTotals {
  /** Sum of the effective quotas of the listed accounts that have one. */
  sizeMb: number;
  /** Listed accounts without an effective quota: the total size is unlimited while any is. */
  unlimited: number;
  usedMb: number;
}

export interface Contact {
  id: string;
  companyId: string;
  fullName: string;
  email: string;
  phone: string | null;
  createdAt: string;
}

export interface Account {
  id: string;
  partnerId: string;
  companyId: string;
  username: string;
  kind: AccountKind;
  parentId: string | null;
  plan: PlanName;
  contactId: string;
  status: AccountStatus;
  /** The account's own suspension; its company's is combined in the view. Absent = none. */
  suspension?: Suspension | null;
  /** The quota alert level its use last reached (SPEC §2.9); absent = 0. */
  alertLevel?: AlertLevel;
  hardQuotaMb: number | null;
  userQuotaMb: number | null;
  usedMb: number;
  ultraSafe: boolean;
  secretQuestion: string | null;
  /** scrypt hash of the normalised answer; never leaves the store. */
  secretAnswerHash: string | null;
  /** scrypt hash; null until the mailer has generated and sent a temporary password. */
  passwordHash: string | null;
  passwordIssuedAt: string | null;
  mustChangePassword: boolean;
  trialEndsAt: string | null;
  /** The next trial e-mail or expiry still to come; null when no trial is open (and on subs). */
  trialStage: TrialStage | null;
  /** A parent's sub-accounts not cancelled, kept in the same transactions that add or cancel them. */
  subAccountCount: number;
  createdAt: string;
  updatedAt: string;
}

/** What the service returns; defined by the response schemas, so a view and its schema agree. */
export type CompanyView = z.output<typeof companyResponse>;
export type AccountView = z.output<typeof accountResponse>;
export type ContactView = z.output<typeof contactResponse>;

export const companyAddOns = (
  company: Pick<Company, 'licenses' | 'endGuard' | 'suspension'>,
): CompanyAddOns => ({
  licenses: company.licenses,
  endGuard: company.endGuard,
  suspension: company.suspension ?? null,
});

export function toCompanyView(company: Company): CompanyView {
  return {
    id: company.id,
    name: company.name,
    quotaMb: company.quotaMb,
    allocatedMb: company.allocatedMb,
    freeMb: freeMb(company),
    usedMb: company.usedMb,
    accountCount: company.accountCount,
    licenses: company.licenses,
    endGuard: company.endGuard,
    status: company.status,
    suspension: company.suspension ?? null,
    alertLevel: company.alertLevel ?? 0,
    adminAccountId: company.adminAccountId,
    createdAt: company.createdAt,
    updatedAt: company.updatedAt,
  };
}

export function toAccountView(account: Account, addOns: CompanyAddOns): AccountView {
  const effective = effectiveQuotaMb(account.hardQuotaMb, account.userQuotaMb);
  // The company's suspension applies to its accounts without being written on them.
  const suspension = combinedSuspension(account.suspension, addOns.suspension);
  return {
    id: account.id,
    companyId: account.companyId,
    username: account.username,
    kind: account.kind,
    parentId: account.parentId,
    plan: account.plan,
    contactId: account.contactId,
    status: account.status,
    hardQuotaMb: account.hardQuotaMb,
    userQuotaMb: account.userQuotaMb,
    effectiveQuotaMb: effective,
    usedMb: account.usedMb,
    percentUsed: percentUsed(account.usedMb, effective),
    ultraSafe: account.ultraSafe,
    hasSecretQuestion: account.secretQuestion !== null,
    mustChangePassword: account.mustChangePassword,
    trialEndsAt: account.trialEndsAt,
    suspension,
    alertLevel: account.alertLevel ?? 0,
    features: featuresFor(account.plan, addOns, account.status, isSuspended(suspension)),
    createdAt: account.createdAt,
    updatedAt: account.updatedAt,
  };
}

export function toContactView(contact: Contact): ContactView {
  return {
    id: contact.id,
    companyId: contact.companyId,
    fullName: contact.fullName,
    email: contact.email,
    phone: contact.phone,
    createdAt: contact.createdAt,
  };
}
