import { ulid } from 'ulid';
import type { Account, Company } from '#lib/model.ts';
import type { AlertChange } from '#lib/rules/alert-levels.ts';
import type { Suspension, SuspensionReason } from '#lib/rules/suspension.ts';
import type { AccountMessage, OutboxKind, StaffInvitationMessage } from '#lib/store/outbox.ts';
import type { Staff } from '#lib/store/staff.ts';
import type { TenantScope } from './scope.ts';

/** A message to an account's contact about that account, signed with the partner's name. */
function accountMessage(
  scope: Pick<TenantScope, 'partnerName'>,
  account: Account,
  kind: OutboxKind,
  generatePassword: boolean,
  createdAt: string,
): AccountMessage {
  return {
    id: ulid(),
    kind,
    partnerId: account.partnerId,
    companyId: account.companyId,
    accountId: account.id,
    username: account.username,
    contactId: account.contactId,
    senderName: scope.partnerName,
    generatePassword,
    ultraSafe: account.ultraSafe,
    plan: account.plan,
    trialEndsAt: account.trialEndsAt,
    createdAt,
  };
}

/** The welcome e-mail for a new account; a password is generated only if the creator gave none. */
export const welcomeMessage = (scope: TenantScope, account: Account): AccountMessage =>
  accountMessage(scope, account, 'welcome', account.passwordHash === null, account.createdAt);

/** A password reset: the mailer generates the new temporary password when it sends. */
export const passwordResetMessage = (
  scope: TenantScope,
  account: Account,
  at: string,
): AccountMessage => accountMessage(scope, account, 'password-reset', true, at);

/** What a suspension or reactivation e-mail tells: the reason, and those left after the change. */
const suspensionFields = (reason: SuspensionReason, after: Suspension | null | undefined) => ({
  reason,
  remainingReasons: after?.reasons ?? [],
});

/** An account suspended or reactivated for `reason`, to the account's contact. */
export const accountSuspensionMessage = (
  scope: TenantScope,
  account: Account,
  kind: 'suspended' | 'reactivated',
  reason: SuspensionReason,
  at: string,
): AccountMessage => ({
  ...accountMessage(scope, account, kind, false, at),
  ...suspensionFields(reason, account.suspension),
});

/**
 * A message about a company, to its admin's contact (SPEC §2.8, §2.9): about the admin account's
 * id and contact, naming the company.
 */
function companyMessage(
  scope: Pick<TenantScope, 'partnerName'>,
  company: Company,
  kind: OutboxKind,
  createdAt: string,
): AccountMessage {
  return {
    id: ulid(),
    kind,
    partnerId: company.partnerId,
    companyId: company.id,
    accountId: company.adminAccountId,
    username: '',
    contactId: company.adminContactId,
    senderName: scope.partnerName,
    generatePassword: false,
    ultraSafe: false,
    plan: '',
    trialEndsAt: null,
    companyName: company.name,
    createdAt,
  };
}

/** A company suspended or reactivated for `reason` (`company` as the change leaves it). */
export const companySuspensionMessage = (
  scope: TenantScope,
  company: Company,
  kind: 'suspended' | 'reactivated',
  reason: SuspensionReason,
  at: string,
): AccountMessage => ({
  ...companyMessage(scope, company, kind, at),
  ...suspensionFields(reason, company.suspension),
});

const alertFields = (change: AlertChange) => ({
  alert: {
    level: change.level,
    percentUsed: change.percentUsed,
    usedMb: change.usedMb,
    quotaMb: change.quotaMb,
  },
});

/** An account's use crossed an alert level upwards: to the account's contact. */
export const accountAlertMessage = (
  scope: Pick<TenantScope, 'partnerName'>,
  account: Account,
  change: AlertChange,
  at: string,
): AccountMessage => ({
  ...accountMessage(scope, account, 'quota-alert', false, at),
  ...alertFields(change),
});

/** A company pool's use crossed an alert level upwards: to the admin's contact. */
export const companyAlertMessage = (
  scope: Pick<TenantScope, 'partnerName'>,
  company: Company,
  change: AlertChange,
  at: string,
): AccountMessage => ({
  ...companyMessage(scope, company, 'quota-alert', at),
  ...alertFields(change),
});

/** A new staff member's invitation: the mailer generates the temporary password when it sends. */
export const staffInvitationMessage = (
  partnerName: string,
  staff: Staff,
): StaffInvitationMessage => ({
  id: ulid(),
  kind: 'staff-invitation',
  partnerId: staff.partnerId,
  staffId: staff.id,
  senderName: partnerName,
  createdAt: staff.createdAt,
});
