/**
 * Webhook endpoints and their deliveries (SPEC §9).
 *
 * A partner's endpoints share one partition, so the fan-out of an event reads them with one
 * Query. Each delivery (one event to one endpoint, keyed by the event id) sits under its
 * endpoint and records every attempt's outcome in one write, together with the endpoint's own
 * change when there is one (failing since, disabled). A delivery waiting for a retry carries
 * the sparse WebhookDue index key, which the sweeper reads by due time.
 *
 * Signing secrets are stored sealed (lib/auth/sealed.ts), never in plain text.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '#lib/clients/dynamodb.ts';
import type { EventType } from '#lib/rules/events.ts';
import { DELIVERY_RETENTION_SECONDS } from '#lib/rules/webhooks.ts';
import { ATTRIBUTE, ENTITY, INDEX, keys } from './keys.ts';
import {
  getItem,
  getItems,
  type Item,
  keyId,
  type Page,
  queryAll,
  queryPage,
  transact,
  type WriteStep,
  write,
  writeItem,
} from './table.ts';

export interface StoredSecret {
  /** The secret as sealed by lib/auth/sealed.ts. */
  sealed: string;
  createdAt: string;
  /** Null for the current secret; a rotated-out one stops signing then. */
  expiresAt: string | null;
}

export type DisabledReason = 'gone' | 'failing';

export interface Webhook {
  id: string;
  partnerId: string;
  url: string;
  eventTypes: EventType[] | null;
  description: string | null;
  enabled: boolean;
  disabledReason: DisabledReason | null;
  /** The first failed attempt since the last delivered one. */
  failingSince: string | null;
  /** The current secret first. */
  secrets: StoredSecret[];
  createdAt: string;
  updatedAt: string;
  createdBy: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'given_up' | 'endpoint_disabled';

export interface Delivery {
  id: string;
  partnerId: string;
  webhookId: string;
  eventId: string;
  eventType: EventType;
  /** The body as first sent: every attempt sends the same bytes. */
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  lastAttemptAt: string | null;
  lastResponseStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const textOrNull = (value: unknown) => (typeof value === 'string' ? value : null);

export function webhookFromItem(item: Item): Webhook {
  return {
    id: String(item.id),
    partnerId: String(item.partnerId),
    url: String(item.url),
    eventTypes: Array.isArray(item.eventTypes) ? (item.eventTypes as EventType[]) : null,
    description: textOrNull(item.description),
    enabled: item.enabled === true,
    disabledReason: (textOrNull(item.disabledReason) as DisabledReason | null) ?? null,
    failingSince: textOrNull(item.failingSince),
    secrets: Array.isArray(item.secrets) ? (item.secrets as StoredSecret[]) : [],
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    createdBy: String(item.createdBy ?? ''),
  };
}

const webhookItem = (webhook: Webhook): Item => ({
  ...keys.webhook(webhook.partnerId, webhook.id),
  [ATTRIBUTE.entity]: ENTITY.webhook,
  ...webhook,
});

export function deliveryFromItem(item: Item): Delivery {
  return {
    id: String(item.id),
    partnerId: String(item.partnerId),
    webhookId: String(item.webhookId),
    eventId: String(item.eventId),
    eventType: item.eventType as EventType,
    payload: String(item.payload ?? ''),
    status: item.status as DeliveryStatus,
    attempts: Number(item.attempts ?? 0),
    lastAttemptAt: textOrNull(item.lastAttemptAt),
    lastResponseStatus:
      typeof item.lastResponseStatus === 'number' ? item.lastResponseStatus : null,
    lastError: textOrNull(item.lastError),
    nextAttemptAt: textOrNull(item.nextAttemptAt),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
  };
}

function deliveryItem(delivery: Delivery): Item {
  const due =
    delivery.status === 'pending' && delivery.nextAttemptAt
      ? keys.webhookDue(delivery.nextAttemptAt, delivery.partnerId, delivery.webhookId, delivery.id)
      : {};
  return {
    ...keys.webhookDelivery(delivery.partnerId, delivery.webhookId, delivery.id),
    [ATTRIBUTE.entity]: ENTITY.webhookDelivery,
    [ATTRIBUTE.expiresAt]:
      Math.floor(Date.parse(delivery.createdAt) / 1000) + DELIVERY_RETENTION_SECONDS,
    ...due,
    ...delivery,
  };
}

// ---- Endpoints ----------------------------------------------------------------------------------

export async function putNewWebhook(webhook: Webhook, steps: WriteStep[]): Promise<void> {
  await transact([{ item: write.put(webhookItem(webhook), 'attribute_not_exists(PK)') }, ...steps]);
}

export async function getWebhook(partnerId: string, webhookId: string): Promise<Webhook | null> {
  const item = await getItem(keys.webhook(partnerId, webhookId));
  return item && item.entity === ENTITY.webhook ? webhookFromItem(item) : null;
}

export async function listWebhooks(
  partnerId: string,
  limit: number,
  cursor: string | undefined,
): Promise<Page<Webhook>> {
  const { PK, skPrefix } = keys.webhooksOf(partnerId);
  const page = await queryPage({ pk: PK, skPrefix, limit, cursor });
  return { items: page.items.map(webhookFromItem), nextCursor: page.nextCursor };
}

/** Every endpoint of the partner, in one Query for all but the largest partners. */
export async function allWebhooks(partnerId: string): Promise<Webhook[]> {
  const { PK, skPrefix } = keys.webhooksOf(partnerId);
  return (await queryAll(PK, skPrefix)).map(webhookFromItem);
}

export class WebhookChangedError extends Error {
  constructor() {
    super('The webhook changed or was removed meanwhile');
    this.name = 'WebhookChangedError';
  }
}

/**
 * Replaces the endpoint as it was read (`expectedUpdatedAt`), in one transaction with `steps`:
 * a concurrent change makes this fail with WebhookChangedError, to be read and tried again.
 */
export async function replaceWebhook(
  webhook: Webhook,
  expectedUpdatedAt: string,
  steps: WriteStep[],
): Promise<void> {
  await transact([
    {
      item: write.put(webhookItem(webhook), 'updatedAt = :expected', {
        ':expected': expectedUpdatedAt,
      }),
      onConditionFailed: () => new WebhookChangedError(),
    },
    ...steps,
  ]);
}

/** Removes the endpoint; its deliveries expire with the table's TTL. */
export async function deleteWebhook(webhook: Webhook, steps: WriteStep[]): Promise<void> {
  await transact([
    {
      item: {
        Delete: {
          TableName: tableName(),
          Key: keys.webhook(webhook.partnerId, webhook.id),
          ConditionExpression: 'attribute_exists(PK)',
        },
      },
      onConditionFailed: () => new WebhookChangedError(),
    },
    ...steps,
  ]);
}

// ---- Deliveries ---------------------------------------------------------------------------------

export async function getDelivery(
  partnerId: string,
  webhookId: string,
  deliveryId: string,
): Promise<Delivery | null> {
  const item = await getItem(keys.webhookDelivery(partnerId, webhookId, deliveryId));
  return item && item.entity === ENTITY.webhookDelivery ? deliveryFromItem(item) : null;
}

/** The deliveries already recorded of one event to these endpoints: one BatchGetItem. */
export async function recordedDeliveries(
  partnerId: string,
  webhookIds: readonly string[],
  eventId: string,
): Promise<Set<string>> {
  if (webhookIds.length === 0) return new Set();
  const wanted = webhookIds.map((webhookId) => keys.webhookDelivery(partnerId, webhookId, eventId));
  const found = await getItems(wanted);
  return new Set(
    webhookIds.filter((_, index) => found.has(keyId(wanted[index] as (typeof wanted)[number]))),
  );
}

export async function listDeliveries(
  partnerId: string,
  webhookId: string,
  limit: number,
  cursor: string | undefined,
): Promise<Page<Delivery>> {
  const { PK, skPrefix } = keys.webhookDeliveriesOf(partnerId, webhookId);
  const page = await queryPage({ pk: PK, skPrefix, limit, cursor, newestFirst: true });
  return { items: page.items.map(deliveryFromItem), nextCursor: page.nextCursor };
}

/** Deliveries whose retry is due at `now`, oldest first, at most `limit`. */
export async function dueDeliveries(now: Date, limit: number): Promise<Delivery[]> {
  const out = await documentClient.send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: INDEX.webhookDue.name,
      KeyConditionExpression: '#pk = :pk AND #sk <= :upTo',
      ExpressionAttributeNames: {
        '#pk': INDEX.webhookDue.partition,
        '#sk': INDEX.webhookDue.sort,
      },
      ExpressionAttributeValues: {
        ':pk': keys.webhookDuePartition(),
        ':upTo': keys.webhookDueUpTo(now.toISOString()),
      },
      Limit: limit,
    }),
  );
  return (out.Items ?? []).map(deliveryFromItem);
}

/** The endpoints of these deliveries, by id: one BatchGetItem. */
export async function webhooksOf(deliveries: readonly Delivery[]): Promise<Map<string, Webhook>> {
  const found = await getItems(deliveries.map((d) => keys.webhook(d.partnerId, d.webhookId)));
  const byId = new Map<string, Webhook>();
  for (const item of found.values()) {
    if (item.entity === ENTITY.webhook) byId.set(String(item.id), webhookFromItem(item));
  }
  return byId;
}

/** The endpoint's change an attempt makes, written with the attempt's record. */
export type EndpointChange =
  | { kind: 'none' }
  | { kind: 'delivered' }
  | { kind: 'failing'; since: string }
  | { kind: 'disable'; reason: DisabledReason };

function endpointStep(webhook: Webhook, change: EndpointChange, now: string): WriteStep | null {
  const key = keys.webhook(webhook.partnerId, webhook.id);
  const exists = { condition: 'attribute_exists(PK)' };
  switch (change.kind) {
    case 'none':
      return null;
    case 'delivered': {
      // No values: DynamoDB refuses an empty ExpressionAttributeValues.
      const { ExpressionAttributeValues: _none, ...update } = write.update(
        key,
        'REMOVE failingSince',
        {},
        exists,
      ).Update as NonNullable<ReturnType<typeof write.update>['Update']>;
      return { item: { Update: update } };
    }
    case 'failing':
      return {
        item: write.update(key, 'SET failingSince = :since', { ':since': change.since }, exists),
      };
    case 'disable':
      return {
        item: write.update(
          key,
          'SET enabled = :off, disabledReason = :reason, updatedAt = :now',
          { ':off': false, ':reason': change.reason, ':now': now },
          exists,
        ),
      };
  }
}

/** The endpoint's condition failed: it was removed after it was read. */
const gone = new Error('The endpoint was removed meanwhile');

/** How a record was written: the first attempt's must be the first, a retry's the next one. */
export type RecordCondition = { first: true } | { first: false; previousAttempts: number };

/**
 * One write recording an attempt: the delivery as it now is, the endpoint's change, and any
 * further `steps` (an e-mail to the owners). False when the condition lost: another run
 * recorded this attempt first. An endpoint removed meanwhile gets the delivery alone.
 */
export async function recordAttempt(
  delivery: Delivery,
  webhook: Webhook,
  change: EndpointChange,
  condition: RecordCondition,
  steps: WriteStep[] = [],
): Promise<boolean> {
  const lost = new WebhookChangedError();
  const record: WriteStep = {
    item: condition.first
      ? write.put(deliveryItem(delivery), 'attribute_not_exists(PK)')
      : write.put(deliveryItem(delivery), 'attempts = :previous', {
          ':previous': condition.previousAttempts,
        }),
    onConditionFailed: () => lost,
  };
  const endpoint = endpointStep(webhook, change, delivery.updatedAt);
  try {
    if (!endpoint && steps.length === 0) {
      const written = await writeItem(record.item);
      return written.written;
    }
    await transact([
      record,
      ...(endpoint ? [{ ...endpoint, onConditionFailed: () => gone }] : []),
      ...steps,
    ]);
    return true;
  } catch (error) {
    if (error === lost) return false;
    if (error === gone) return (await writeItem(record.item)).written;
    throw error;
  }
}
