/**
 * The partner's event feed (SPEC §9): each event is one item, put in the transaction of the
 * change it reports, kept 30 days (the table's TTL), read oldest first by its id.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { encodeTime } from 'ulid';
import type * as z from 'zod/mini';
import type { eventResponse } from '#lib/api/responses.ts';
import { documentClient, tableName } from '#lib/clients/dynamodb.ts';
import { EVENT_RETENTION_SECONDS, type EventType } from '#lib/rules/events.ts';
import { ATTRIBUTE, ENTITY, keys } from './keys.ts';
import type { Item, Page, WriteStep } from './table.ts';
import { write } from './table.ts';

/** An event as filed, delivered and listed. */
export type DomainEvent = z.output<typeof eventResponse>;

/** Where an event goes besides the feed: a test event to one webhook endpoint only. */
export interface EventRouting {
  onlyWebhookId?: string;
}

/** One argument only: callers map it over a list of events. */
export const eventStep = (event: DomainEvent): WriteStep => routedEventStep(event, {});

/** A test event, delivered to the one webhook endpoint it names. */
export const testEventStep = (event: DomainEvent, webhookId: string): WriteStep =>
  routedEventStep(event, { onlyWebhookId: webhookId });

function routedEventStep(event: DomainEvent, routing: EventRouting): WriteStep {
  const expiresAt = Math.floor(Date.parse(event.occurredAt) / 1000) + EVENT_RETENTION_SECONDS;
  return {
    item: write.put(
      {
        ...keys.event(event.partnerId, event.id),
        [ATTRIBUTE.entity]: ENTITY.event,
        [ATTRIBUTE.expiresAt]: expiresAt,
        ...(routing.onlyWebhookId ? { [ATTRIBUTE.onlyWebhookId]: routing.onlyWebhookId } : {}),
        ...event,
      },
      'attribute_not_exists(PK)',
    ),
  };
}

/** The routing an event item was written with. */
export const eventRoutingOf = (item: Item): EventRouting =>
  typeof item[ATTRIBUTE.onlyWebhookId] === 'string'
    ? { onlyWebhookId: item[ATTRIBUTE.onlyWebhookId] as string }
    : {};

/** The item as written by `eventStep`: its type and data were checked when it was made. */
export const eventFromItem = (item: Item): DomainEvent =>
  ({
    id: String(item.id),
    type: item.type as EventType,
    occurredAt: String(item.occurredAt),
    partnerId: String(item.partnerId),
    companyId: (item.companyId as string | null) ?? null,
    accountId: (item.accountId as string | null) ?? null,
    actor: String(item.actor),
    data: item.data ?? {},
  }) as DomainEvent;

export interface EventQuery {
  /** The id of the last event the reader has; the page starts after it. */
  after: string | undefined;
  types: readonly EventType[] | undefined;
  limit: number;
  /** Only events whose ids were made before this instant (the feed's settling wait). */
  madeBefore: Date;
}

/** A filtered page reads on at most this many times to fill itself before it answers. */
const MAX_READS_PER_PAGE = 10;

/**
 * A page of the feed, oldest first. Its cursor is an event id: a reader resumes after the last
 * event it handled, whether it came from this feed or from a webhook. A type filter applies
 * after DynamoDB's limit, so a filtered page reads on until it holds `limit` events, the feed
 * ends, or it has read MAX_READS_PER_PAGE times (then it answers short, with a cursor).
 */
export async function listEvents(partnerId: string, query: EventQuery): Promise<Page<DomainEvent>> {
  const { PK, skPrefix } = keys.eventsOf(partnerId);
  const types = query.types ?? [];
  const typeValues = Object.fromEntries(types.map((type, i) => [`:type${i}`, type]));
  const items: DomainEvent[] = [];
  let after = query.after;
  for (let read = 0; read < MAX_READS_PER_PAGE; read++) {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ...(types.length > 0
          ? {
              FilterExpression: `#type IN (${Object.keys(typeValues).join(', ')})`,
              ExpressionAttributeNames: { '#type': 'type' },
            }
          : {}),
        ExpressionAttributeValues: {
          ':pk': PK,
          ':from': skPrefix,
          // Every id whose time part is earlier sorts below the bare time part.
          ':to': `${skPrefix}${encodeTime(query.madeBefore.getTime(), 10)}`,
          ...typeValues,
        },
        Limit: query.limit - items.length,
        ...(after ? { ExclusiveStartKey: keys.event(partnerId, after) } : {}),
      }),
    );
    items.push(...(out.Items ?? []).map(eventFromItem));
    const last = out.LastEvaluatedKey?.SK as string | undefined;
    after = last ? last.slice(skPrefix.length) : undefined;
    if (!after || items.length >= query.limit) break;
  }
  return { items, nextCursor: after ?? null };
}
