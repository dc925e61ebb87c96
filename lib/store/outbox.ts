/**
 * The transactional outbox: a message is written in the same transaction as the change that
 * causes it, and the stream-triggered sender delivers it. It never holds a password: when one
 * must be generated, the sender generates it at send time.
 */
import { contactFromItem, isEntity } from './items.ts';
import { ATTRIBUTE, ENTITY, keys } from './keys.ts';
import { partnerFromItem } from './partners.ts';
import { staffFromItem } from './staff.ts';
import {
  getItem,
  getItems,
  type Item,
  keyId,
  transact,
  type WriteStep,
  write,
  writeItem,
} from './table.ts';

export type OutboxKind =
  | 'welcome'
  | 'password-reset'
  | 'trial-reminder'
  | 'trial-expired'
  | 'suspended'
  | 'reactivated'
  | 'quota-alert';

/** A message to an account's contact about that account. */
export interface AccountMessage {
  id: string;
  kind: OutboxKind;
  partnerId: string;
  companyId: string;
  accountId: string;
  username: string;
  /** The contact is read at send time, so the message holds no copy of personal data. */
  contactId: string;
  senderName: string;
  /** Generate a temporary password at send time, store its hash, put it in the body. */
  generatePassword: boolean;
  ultraSafe: boolean;
  plan: string;
  trialEndsAt: string | null;
  /** Trial reminders: the days left until the trial ends. */
  daysLeft?: number;
  /**
   * Set when the message is about the company rather than one account (its suspension, its
   * pool's alert): sent to the admin's contact, naming the company.
   */
  companyName?: string;
  /** Suspension and reactivation: the reason added or taken away, and those left after. */
  reason?: string;
  remainingReasons?: string[];
  /** A quota alert: the level reached and the figures behind it. */
  alert?: { level: number; percentUsed: number; usedMb: number; quotaMb: number };
  createdAt: string;
}

/**
 * The invitation of a partner's new staff member: the temporary password is generated at send
 * time, and the e-mail address is read from the member's item then, like an account's contact.
 */
export interface StaffInvitationMessage {
  id: string;
  kind: 'staff-invitation';
  partnerId: string;
  staffId: string;
  senderName: string;
  createdAt: string;
}

/**
 * A partner owner told that one of the partner's webhook endpoints was disabled after 5 days
 * without a delivery. One message per owner; the address is read from the member at send time.
 */
export interface WebhookDisabledMessage {
  id: string;
  kind: 'webhook-disabled';
  partnerId: string;
  staffId: string;
  webhookId: string;
  url: string;
  /** When the endpoint began failing. */
  failingSince: string;
  senderName: string;
  createdAt: string;
}

export type OutboxMessage = AccountMessage | StaffInvitationMessage | WebhookDisabledMessage;

/** The messages whose recipient is a staff member of the partner. */
export type StaffMessage = StaffInvitationMessage | WebhookDisabledMessage;

export const isStaffMessage = (message: OutboxMessage): message is StaffMessage =>
  message.kind === 'staff-invitation' || message.kind === 'webhook-disabled';

export type OutboxState = OutboxMessage & {
  sentAt: string | null;
  attempts: number;
};

/** Whether the sender generates a password for the message (an invitation always has one). */
export const carriesPassword = (message: OutboxMessage): boolean =>
  message.kind === 'staff-invitation' ||
  (message.kind !== 'webhook-disabled' && message.generatePassword);

/** Sent messages are kept for a while as the record of delivery, then expire. */
const SENT_RETENTION_SECONDS = 30 * 24 * 3600;

export function outboxStep(message: OutboxMessage): WriteStep {
  return {
    item: write.put(
      {
        ...keys.outbox(message.id),
        entity: ENTITY.outbox,
        ...message,
        sentAt: null,
        attempts: 0,
      },
      'attribute_not_exists(PK)',
    ),
  };
}

export async function getOutboxMessage(id: string): Promise<OutboxState | undefined> {
  const item = await getItem(keys.outbox(id));
  return item ? fromItem(item) : undefined;
}

function fromItem(item: Item): OutboxState {
  const {
    [ATTRIBUTE.pk]: _pk,
    [ATTRIBUTE.sk]: _sk,
    [ATTRIBUTE.entity]: _e,
    [ATTRIBUTE.expiresAt]: _x,
    ...rest
  } = item;
  return rest as unknown as OutboxState;
}

/**
 * Stores the hash of the password about to be sent, together with one more attempt on the
 * message, only while the message is unsent: a redelivered record cannot replace the password
 * of a message already delivered.
 */
export async function recordPasswordForSend(
  message: AccountMessage | StaffInvitationMessage,
  passwordHash: string,
  issuedAt: string,
): Promise<void> {
  await transact([
    {
      item:
        message.kind === 'staff-invitation'
          ? staffPasswordForSend(message, passwordHash, issuedAt)
          : accountPasswordForSend(message, passwordHash, issuedAt),
      onConditionFailed: () => new PasswordSupersededError(),
    },
    {
      item: write.update(
        keys.outbox(message.id),
        'SET attempts = attempts + :one',
        { ':one': 1, ':null': null },
        { condition: 'attribute_exists(PK) AND sentAt = :null' },
      ),
    },
  ]);
}

const PASSWORD_FOR_SEND =
  'SET passwordHash = :hash, passwordIssuedAt = :at, mustChangePassword = :true, updatedAt = :at, passwordMessageId = :message';

/**
 * Only while the account still waits for this password: a password the user set since (a change
 * or a recovery after a reset) is never replaced, and a cancelled account gets none. A retry of
 * this same message (its e-mail failed) may replace the password it set.
 */
function accountPasswordForSend(message: AccountMessage, passwordHash: string, issuedAt: string) {
  return write.update(
    keys.account(message.partnerId, message.companyId, message.accountId),
    PASSWORD_FOR_SEND,
    {
      ':hash': passwordHash,
      ':at': issuedAt,
      ':true': true,
      ':null': null,
      ':cancelled': 'cancelled',
      ':message': message.id,
    },
    {
      condition:
        'attribute_exists(PK) AND (attribute_not_exists(passwordIssuedAt) OR passwordIssuedAt = :null OR passwordMessageId = :message) AND #status <> :cancelled',
      names: { '#status': 'status' },
    },
  );
}

/** The same for an invited staff member, who must still be active and without a password. */
function staffPasswordForSend(
  message: StaffInvitationMessage,
  passwordHash: string,
  issuedAt: string,
) {
  return write.update(
    keys.staff(message.partnerId, message.staffId),
    PASSWORD_FOR_SEND,
    {
      ':hash': passwordHash,
      ':at': issuedAt,
      ':true': true,
      ':null': null,
      ':active': 'active',
      ':message': message.id,
    },
    {
      condition:
        'attribute_exists(PK) AND (passwordIssuedAt = :null OR passwordMessageId = :message) AND #status = :active',
      names: { '#status': 'status' },
    },
  );
}

/** The account or staff member no longer waits for the password this message would carry. */
export class PasswordSupersededError extends Error {
  constructor() {
    super('The recipient has a password already, or is cancelled or removed');
    this.name = 'PasswordSupersededError';
  }
}

export async function markSent(id: string, sentAt: Date, providerMessageId: string): Promise<void> {
  const marked = await writeItem(
    write.update(
      keys.outbox(id),
      `SET sentAt = :at, providerMessageId = :mid, ${ATTRIBUTE.expiresAt} = :exp`,
      {
        ':at': sentAt.toISOString(),
        ':mid': providerMessageId,
        ':exp': Math.floor(sentAt.getTime() / 1000) + SENT_RETENTION_SECONDS,
      },
      { condition: 'attribute_exists(PK)' },
    ),
  );
  if (!marked.written) throw new Error(`No outbox message ${id} to mark sent`);
}

export interface MessageRecipient {
  contact: { fullName: string; email: string } | null;
  /** The partner's name, to sign the e-mail with; null if the partner record is gone. */
  partnerName: string | null;
}

/**
 * Whom to write to (an account's contact, or the invited staff member) and the partner to sign
 * as, read at send time in one request.
 */
export async function loadRecipient(message: OutboxMessage): Promise<MessageRecipient> {
  const recipientKey = isStaffMessage(message)
    ? keys.staff(message.partnerId, message.staffId)
    : keys.contact(message.partnerId, message.companyId, message.contactId);
  const partnerKey = keys.partner(message.partnerId);
  const found = await getItems([recipientKey, partnerKey]);
  const recipient = found.get(keyId(recipientKey));
  const partner = found.get(keyId(partnerKey));
  const { fullName, email } = recipientOf(message, recipient);
  return {
    contact: fullName && email ? { fullName, email } : null,
    partnerName: (isEntity(partner, ENTITY.partner) && partnerFromItem(partner).name) || null,
  };
}

function recipientOf(
  message: OutboxMessage,
  item: Item | undefined,
): { fullName: string | null; email: string | null } {
  if (isStaffMessage(message)) {
    // A removed member is invited (or told) no more.
    if (!isEntity(item, ENTITY.staff)) return { fullName: null, email: null };
    const staff = staffFromItem(item);
    return staff.status === 'active' ? staff : { fullName: null, email: null };
  }
  return isEntity(item, ENTITY.contact) ? contactFromItem(item) : { fullName: null, email: null };
}
