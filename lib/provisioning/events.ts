/**
 * Events as the use cases make them (SPEC §9): each is written by the change's own transaction,
 * names who acted as the audit log does, and carries the object as the change left it.
 */
import { monotonicFactory } from 'ulid';
import { type EventType, FEED_SETTLE_MS } from '#lib/rules/events.ts';
import type { EventQuery } from '#lib/schemas.ts';
import { type DomainEvent, listEvents as listEventPage } from '#lib/store/events.ts';
import type { Page } from '#lib/store/table.ts';
import type { TenantScope } from './scope.ts';

export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

/** What an event is about: the company and account its envelope names. */
export interface EventSubject {
  companyId: string | null;
  accountId: string | null;
}

export const about = (company: { id: string }): EventSubject => ({
  companyId: company.id,
  accountId: null,
});

export const aboutAccount = (account: { id: string; companyId: string }): EventSubject => ({
  companyId: account.companyId,
  accountId: account.id,
});

/** Monotonic: the events of one change (a company, then its admin account) keep their order. */
const nextId = monotonicFactory();

/**
 * A new event of `type`. Its id is made from the clock at the moment it is made (not the
 * change's `now`, which tests set), so the feed's order and settling wait follow real time.
 */
export function newEvent<T extends EventType>(
  scope: Pick<TenantScope, 'partnerId' | 'actor'>,
  now: Date,
  type: T,
  subject: EventSubject,
  data: EventOf<T>['data'],
): EventOf<T> {
  return {
    id: nextId(),
    type,
    occurredAt: now.toISOString(),
    partnerId: scope.partnerId,
    companyId: subject.companyId,
    accountId: subject.accountId,
    actor: scope.actor,
    data,
  } as EventOf<T>;
}

/** The partner's feed after `query.after`, of the events old enough to be settled. */
export const listEvents = (
  scope: TenantScope,
  query: EventQuery,
  now = new Date(),
): Promise<Page<DomainEvent>> =>
  listEventPage(scope.partnerId, {
    after: query.after,
    types: query.type,
    limit: query.limit,
    madeBefore: new Date(now.getTime() - FEED_SETTLE_MS),
  });
