/**
 * The event catalogue (SPEC §9): what a change tells a partner's integrations. Each change
 * writes its event in the same transaction as itself, so the feed holds exactly what happened.
 */

export const EVENT_TYPES = [
  'company.created',
  'company.updated',
  'company.suspended',
  'company.reactivated',
  'company.cancelled',
  'account.created',
  'account.updated',
  'account.suspended',
  'account.reactivated',
  'account.cancelled',
  'trial.reminder_sent',
  'trial.expired',
  'trial.extended',
  'trial.converted',
  'quota.threshold_crossed',
  'quota.recovered',
  'password.reset_sent',
  'webhook.test',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** The events a change to an existing account can be. */
export type AccountChangeEventType = 'account.updated' | 'trial.converted' | 'trial.extended';

/**
 * The event of a change to an account: a trial converted or extended is that; anything else
 * (size, contact, a paid plan for another) is an update.
 */
export function accountChangeEventType(change: {
  planChanged: boolean;
  fromTrial: boolean;
  trialExtended: boolean;
}): AccountChangeEventType {
  if (change.planChanged && change.fromTrial) return 'trial.converted';
  if (change.planChanged) return 'account.updated';
  return change.trialExtended ? 'trial.extended' : 'account.updated';
}

/** Events are kept this long, then expire through the table's TTL. */
export const EVENT_RETENTION_SECONDS = 30 * 24 * 3600;

/**
 * The feed shows an event once this long has passed since its id was made. Ids are made before
 * their transaction commits, by many functions at once: without the wait, a reader could pass an
 * id whose event commits a moment later, and a client resuming after it would never see it.
 */
export const FEED_SETTLE_MS = 5_000;
