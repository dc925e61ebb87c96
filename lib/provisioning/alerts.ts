/**
 * What a quota alert writes besides the level (SPEC §2.9): its event, and for a crossing upwards
 * the e-mail to the contact (a company's: the admin's contact). Written by the transaction that
 * changes the level, so a level raised once alerts once.
 */
import type { Account, Company } from '#lib/model.ts';
import type { AlertChange } from '#lib/rules/alert-levels.ts';
import type { AlertEffects } from '#lib/store/alerts.ts';
import { about, aboutAccount, newEvent } from './events.ts';
import { accountAlertMessage, companyAlertMessage } from './messages.ts';
import type { TenantScope } from './scope.ts';

export type { AlertEffects };

export type RaisedAlert =
  | { subject: 'account'; account: Account; change: AlertChange }
  | { subject: 'company'; company: Company; change: AlertChange };

/** Who an alert is told as: the scope of the change that moved the level. */
export type AlertScope = Pick<TenantScope, 'partnerId' | 'partnerName' | 'actor'>;

export const NO_ALERTS: AlertEffects = { events: [], messages: [] };

export function alertEffects(scope: AlertScope, now: Date, alerts: RaisedAlert[]): AlertEffects {
  const effects: AlertEffects = { events: [], messages: [] };
  const at = now.toISOString();
  for (const alert of alerts) {
    const { change } = alert;
    const data = {
      subject: alert.subject,
      level: change.level,
      previousLevel: change.previousLevel,
      usedMb: change.usedMb,
      quotaMb: change.quotaMb,
      percentUsed: change.percentUsed,
    };
    const subject =
      alert.subject === 'account' ? aboutAccount(alert.account) : about(alert.company);
    effects.events.push(newEvent(scope, now, change.type, subject, data));
    if (change.type !== 'quota.threshold_crossed') continue;
    effects.messages.push(
      alert.subject === 'account'
        ? accountAlertMessage(scope, alert.account, change, at)
        : companyAlertMessage(scope, alert.company, change, at),
    );
  }
  return effects;
}
