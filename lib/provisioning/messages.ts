import { ulid } from 'ulid';
import type { Account } from '#lib/model.ts';
import type { AccountMessage, OutboxKind, StaffInvitationMessage } from '#lib/store/outbox.ts';
import type { Staff } from '#lib/store/staff.ts';
import type { TenantScope } from './scope.ts';

/** A message to an account's contact about that account, signed with the partner's name. */
function accountMessage(
  scope: TenantScope,
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
