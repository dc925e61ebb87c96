import { ulid } from 'ulid';
import type { Account } from '#lib/model.ts';
import type { OutboxMessage } from '#lib/store/outbox.ts';
import type { TenantScope } from './scope.ts';

/** The welcome e-mail for a new account; a password is generated only if the creator gave none. */
export function welcomeMessage(scope: TenantScope, account: Account): OutboxMessage {
  return {
    id: ulid(),
    kind: 'welcome',
    partnerId: account.partnerId,
    companyId: account.companyId,
    accountId: account.id,
    username: account.username,
    contactId: account.contactId,
    senderName: scope.partnerName,
    generatePassword: account.passwordHash === null,
    ultraSafe: account.ultraSafe,
    plan: account.plan,
    trialEndsAt: account.trialEndsAt,
    createdAt: account.createdAt,
  };
}

/** A password reset: the mailer generates the new temporary password when it sends. */
export function passwordResetMessage(
  scope: TenantScope,
  account: Account,
  at: string,
): OutboxMessage {
  return {
    id: ulid(),
    kind: 'password-reset',
    partnerId: account.partnerId,
    companyId: account.companyId,
    accountId: account.id,
    username: account.username,
    contactId: account.contactId,
    senderName: scope.partnerName,
    generatePassword: true,
    ultraSafe: account.ultraSafe,
    plan: account.plan,
    trialEndsAt: account.trialEndsAt,
    createdAt: at,
  };
}
