/**
 * Delivers one outbox message, in the order that makes delivery at-least-once without storing a
 * password: skip if sent, store the generated password's hash, send, record the send
 * (docs/outbox.md).
 */
import { generateTemporaryPassword, hashSecret } from '#lib/auth/secrets.ts';
import { logger } from '#lib/logger.ts';
import { count } from '#lib/metrics.ts';
import {
  carriesPassword,
  getOutboxMessage,
  loadRecipient,
  markSent,
  type OutboxMessage,
  type OutboxState,
  PasswordSupersededError,
  recordPasswordForSend,
} from '#lib/store/outbox.ts';
import { sendEmail } from './ses.ts';
import {
  type Recipient,
  type RenderedEmail,
  renderPasswordReset,
  renderQuotaAlert,
  renderReactivated,
  renderStaffInvitation,
  renderSuspended,
  renderTrialExpired,
  renderTrialReminder,
  renderWebhookDisabled,
  renderWelcome,
} from './templates.ts';

export type DeliveryOutcome =
  | 'sent'
  | 'already-sent'
  | 'superseded'
  | 'no-such-message'
  | 'no-recipient';

export async function deliverOutboxMessage(
  messageId: string,
  clock: () => Date = () => new Date(),
): Promise<DeliveryOutcome> {
  const message = await getOutboxMessage(messageId);
  if (!message) return 'no-such-message';
  if (message.sentAt) return 'already-sent';
  const { contact, partnerName } = await loadRecipient(message);
  if (!contact && message.kind === 'staff-invitation') {
    // The member was removed before the e-mail went out: nobody is to be invited any more.
    await markSent(message.id, clock(), 'superseded');
    logger().info('E-mail superseded', { messageId, kind: message.kind, ...subjectOf(message) });
    return 'superseded';
  }
  if (!contact) {
    logger().error('Outbox message has no contact', { messageId, kind: message.kind });
    count('EmailsFailed');
    return 'no-recipient';
  }
  let temporaryPassword: string | null = null;
  if (message.kind !== 'webhook-disabled' && carriesPassword(message)) {
    temporaryPassword = generateTemporaryPassword();
    try {
      await recordPasswordForSend(
        message,
        await hashSecret(temporaryPassword),
        clock().toISOString(),
      );
    } catch (error) {
      if (!(error instanceof PasswordSupersededError)) throw error;
      // The user set a password since (or the account was cancelled): nothing to send.
      await markSent(message.id, clock(), 'superseded');
      logger().info('E-mail superseded', { messageId, kind: message.kind, ...subjectOf(message) });
      return 'superseded';
    }
  }
  const senderName = partnerName ?? message.senderName;
  const email = render({ ...message, senderName }, contact, temporaryPassword);
  const providerId = await sendEmail(contact.email, senderName, email);
  await markSent(message.id, clock(), providerId);
  count('EmailsSent');
  logger().info('E-mail sent', { messageId, kind: message.kind, ...subjectOf(message) });
  return 'sent';
}

/** Whom the message is about, for the log: ids only, never an address. */
const subjectOf = (message: OutboxMessage) =>
  message.kind === 'staff-invitation' || message.kind === 'webhook-disabled'
    ? { staffId: message.staffId }
    : { accountId: message.accountId };

function render(
  message: OutboxState,
  recipient: Recipient,
  password: string | null,
): RenderedEmail {
  if (message.kind === 'staff-invitation') {
    return renderStaffInvitation({
      recipient,
      senderName: message.senderName,
      temporaryPassword: password ?? '',
    });
  }
  if (message.kind === 'webhook-disabled') {
    return renderWebhookDisabled({
      recipient,
      senderName: message.senderName,
      url: message.url,
      failingSince: message.failingSince,
    });
  }
  const common = { recipient, username: message.username, senderName: message.senderName };
  const about = { ...common, companyName: message.companyName };
  switch (message.kind) {
    case 'suspended':
      return renderSuspended({ ...about, reason: message.reason ?? '' });
    case 'reactivated':
      return renderReactivated({
        ...about,
        reason: message.reason ?? '',
        remainingReasons: message.remainingReasons ?? [],
      });
    case 'quota-alert': {
      const alert = message.alert ?? { level: 0, percentUsed: 0, usedMb: 0, quotaMb: 0 };
      return renderQuotaAlert({ ...about, ...alert });
    }
    case 'password-reset':
      return renderPasswordReset({ ...common, temporaryPassword: password ?? '' });
    case 'trial-reminder':
      return renderTrialReminder({
        ...common,
        trialEndsAt: message.trialEndsAt ?? '',
        daysLeft: message.daysLeft ?? 0,
      });
    case 'trial-expired':
      return renderTrialExpired({ ...common, trialEndedAt: message.trialEndsAt ?? '' });
    default:
      return renderWelcome({
        ...common,
        temporaryPassword: password,
        ultraSafe: message.ultraSafe,
        plan: message.plan,
        trialEndsAt: message.trialEndsAt,
      });
  }
}
