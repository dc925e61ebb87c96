/**
 * The items a quota alert adds to the transaction that moves its level, and the condition that
 * makes a level move once: on the level as read, so of two changes that would raise it at once
 * only the first commits (the other is read again, finds the level raised, and alerts nothing).
 */
import type { AlertLevel } from '#lib/rules/alert-levels.ts';
import { type DomainEvent, eventStep } from './events.ts';
import { type OutboxMessage, outboxStep } from './outbox.ts';
import type { WriteStep } from './table.ts';

export interface AlertEffects {
  events: DomainEvent[];
  messages: OutboxMessage[];
}

export const alertSteps = (effects: AlertEffects | undefined): WriteStep[] =>
  effects ? [...effects.events.map(eventStep), ...effects.messages.map(outboxStep)] : [];

export const alertItemCount = (effects: AlertEffects | undefined): number =>
  effects ? effects.events.length + effects.messages.length : 0;

/**
 * The condition on the stored level, and the SET of the new one, for an update expression:
 * `values` receives `:levelBefore` and `:level`. A record written before levels were kept has
 * none, which counts as 0.
 */
export function alertLevelClause(
  before: AlertLevel | undefined,
  after: AlertLevel,
  values: Record<string, unknown>,
): { set: string; condition: string } {
  const previous = before ?? 0;
  values[':levelBefore'] = previous;
  values[':level'] = after;
  return {
    set: 'alertLevel = :level',
    condition:
      previous === 0
        ? '(attribute_not_exists(alertLevel) OR alertLevel = :levelBefore)'
        : 'alertLevel = :levelBefore',
  };
}
