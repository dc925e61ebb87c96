/**
 * Webhook delivery (SPEC §9; docs/webhooks.md has the design and why).
 *
 * An event's first attempts happen when the stream brings its item: one Query reads the
 * partner's endpoints, one BatchGetItem the deliveries of this event already recorded (a
 * redelivered stream record skips those), then each endpoint gets its POST and one write that
 * records the outcome. A first failure is retried in place 5 s later; the later retries wait
 * in the table, under the sparse WebhookDue index the sweeper reads.
 *
 * The record is written after the POST: a crash between the two sends the POST once more
 * when the stream redelivers the record, with the same `webhook-id`, and no more.
 */
import { ulid } from 'ulid';
import { unseal } from '#lib/auth/sealed.ts';
import { notFound, webhookDisabled } from '#lib/errors.ts';
import { count } from '#lib/metrics.ts';
import {
  type AttemptOutcome,
  failedTooLong,
  nextAttemptAt,
  outcomeOf,
  subscribes,
} from '#lib/rules/webhooks.ts';
import type { DomainEvent, EventRouting } from '#lib/store/events.ts';
import { outboxStep } from '#lib/store/outbox.ts';
import { listStaff } from '#lib/store/staff.ts';
import type { Page, WriteStep } from '#lib/store/table.ts';
import {
  allWebhooks,
  type Delivery,
  type DisabledReason,
  dueDeliveries,
  type EndpointChange,
  getDelivery,
  getWebhook,
  listDeliveries,
  type RecordCondition,
  recordAttempt,
  recordedDeliveries,
  type Webhook,
  webhooksOf,
} from '#lib/store/webhooks.ts';
import { type PostResult, postWebhook, type Resolve, retrySchedule } from '#lib/webhooks/send.ts';
import { webhookHeaders } from '#lib/webhooks/sign.ts';
import { audit } from './audit.ts';
import type { TenantScope } from './scope.ts';
import { signingSecrets, WEBHOOK_SECRET_PURPOSE } from './webhooks.ts';

export interface DeliveryDeps {
  now?: () => Date;
  resolve?: Resolve;
  /** How the in-place 5 s retry waits; tests pass one that advances their clock. */
  sleep?: (ms: number) => Promise<void>;
  timeoutMs?: number;
  /** The waits after each failed attempt; SPEC's unless the local stage sets its own. */
  retryDelays?: readonly number[];
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const clock = (deps: DeliveryDeps) => deps.now?.() ?? new Date();

async function secretsAt(webhook: Webhook, now: Date): Promise<string[]> {
  return Promise.all(
    signingSecrets(webhook, now).map(async (secret) => {
      const plain = await unseal(WEBHOOK_SECRET_PURPOSE, webhook.id, secret.sealed);
      // Only a changed service secret makes a stored one unreadable: that is no receiver's fault.
      if (plain === null) throw new Error(`Webhook ${webhook.id}: a signing secret does not open`);
      return plain;
    }),
  );
}

/** One POST of the delivery to the endpoint, signed with every secret that signs now. */
async function attempt(webhook: Webhook, delivery: Delivery, deps: DeliveryDeps) {
  const at = clock(deps);
  const headers = webhookHeaders(await secretsAt(webhook, at), delivery.id, at, delivery.payload);
  const result = await postWebhook(webhook.url, headers, delivery.payload, {
    ...(deps.resolve ? { resolve: deps.resolve } : {}),
    ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
  });
  return { at, result };
}

/** Where a delivery and its endpoint stand between attempts. */
interface State {
  delivery: Delivery;
  failingSince: string | null;
  disable: DisabledReason | null;
  outcome: AttemptOutcome | null;
}

/** What an attempt's answer makes of the delivery and its endpoint. */
function afterAttempt(
  state: State,
  at: Date,
  result: PostResult,
  delays: readonly number[],
): State {
  const attempts = state.delivery.attempts + 1;
  const outcome = outcomeOf(result.status);
  const base = {
    ...state.delivery,
    attempts,
    lastAttemptAt: at.toISOString(),
    lastResponseStatus: result.status,
    lastError: result.error,
    updatedAt: at.toISOString(),
  };
  if (outcome === 'delivered') {
    return {
      delivery: { ...base, status: 'delivered', nextAttemptAt: null },
      failingSince: null,
      disable: null,
      outcome,
    };
  }
  if (outcome === 'gone') {
    return {
      delivery: { ...base, status: 'endpoint_disabled', nextAttemptAt: null },
      failingSince: state.failingSince,
      disable: 'gone',
      outcome,
    };
  }
  if (failedTooLong(state.failingSince, at)) {
    return {
      delivery: { ...base, status: 'endpoint_disabled', nextAttemptAt: null },
      failingSince: state.failingSince,
      disable: 'failing',
      outcome,
    };
  }
  const next = nextAttemptAt(attempts, at, delays);
  return {
    delivery: {
      ...base,
      status: next ? 'pending' : 'given_up',
      nextAttemptAt: next ? next.toISOString() : null,
    },
    failingSince: state.failingSince ?? at.toISOString(),
    disable: null,
    outcome,
  };
}

function endpointChange(webhook: Webhook, state: State): EndpointChange {
  if (state.disable) return { kind: 'disable', reason: state.disable };
  if (state.failingSince === webhook.failingSince) return { kind: 'none' };
  return state.failingSince
    ? { kind: 'failing', since: state.failingSince }
    : { kind: 'delivered' };
}

function countOutcome(state: State): void {
  if (state.delivery.status === 'delivered') count('WebhookDeliveries');
  else count('WebhookAttemptsFailed');
  if (state.delivery.status === 'given_up') count('WebhookDeliveriesGivenUp');
  if (state.disable) count('WebhookEndpointsDisabled');
}

/** Attempts, records, counts. False when another run recorded this attempt first. */
async function attemptAndRecord(
  webhook: Webhook,
  delivery: Delivery,
  condition: RecordCondition,
  deps: DeliveryDeps,
  options: { retryInPlace: boolean; scope?: TenantScope } = { retryInPlace: false },
): Promise<{ recorded: boolean; delivery: Delivery }> {
  let state: State = {
    delivery,
    failingSince: webhook.failingSince,
    disable: null,
    outcome: null,
  };
  const first = await attempt(webhook, delivery, deps);
  const delays = deps.retryDelays ?? retrySchedule();
  state = afterAttempt(state, first.at, first.result, delays);
  // The 5 s retry, in place: shorter than any schedule a sweeper could keep.
  const firstDelay = delays[0] as number;
  if (
    options.retryInPlace &&
    state.delivery.status === 'pending' &&
    state.delivery.attempts === 1
  ) {
    countOutcome(state);
    await (deps.sleep ?? realSleep)(firstDelay);
    const second = await attempt(webhook, state.delivery, deps);
    state = afterAttempt(state, second.at, second.result, delays);
  }
  countOutcome(state);
  const at = new Date(state.delivery.updatedAt);
  const steps = options.scope
    ? [
        audit(options.scope, at, {
          action: 'webhook.retryDelivery',
          targetType: 'webhook',
          targetId: webhook.id,
          companyId: null,
          details: { deliveryId: delivery.id, status: state.delivery.status },
        }),
      ]
    : [];
  if (state.disable === 'failing') steps.push(...(await ownersTold(webhook, state, at)));
  const recorded = await recordAttempt(
    state.delivery,
    webhook,
    endpointChange(webhook, state),
    condition,
    steps,
  );
  return { recorded, delivery: state.delivery };
}

/**
 * One e-mail per active owner of the partner, in the write that disables the endpoint: read
 * only then, so a delivery that disables nothing costs no read of the staff.
 */
async function ownersTold(webhook: Webhook, state: State, at: Date): Promise<WriteStep[]> {
  const owners = (await listStaff(webhook.partnerId, 100, undefined)).items.filter(
    (member) => member.role === 'owner' && member.status === 'active',
  );
  return owners.map((owner) =>
    outboxStep({
      id: ulid(at.getTime()),
      kind: 'webhook-disabled',
      partnerId: webhook.partnerId,
      staffId: owner.id,
      webhookId: webhook.id,
      url: webhook.url,
      failingSince: state.failingSince ?? at.toISOString(),
      // The partner's name is read at send time.
      senderName: '',
      createdAt: at.toISOString(),
    }),
  );
}

/**
 * The fan-out of one event: to each enabled endpoint of its partner subscribed to its type
 * (a test event to its one endpoint), unless already recorded. Endpoints are served at once.
 */
export async function deliverEvent(
  event: DomainEvent,
  routing: EventRouting,
  deps: DeliveryDeps = {},
): Promise<Delivery[]> {
  const targets = (await allWebhooks(event.partnerId)).filter(
    (webhook) =>
      webhook.enabled &&
      subscribes(webhook.eventTypes, event.type) &&
      (routing.onlyWebhookId === undefined
        ? event.type !== 'webhook.test'
        : webhook.id === routing.onlyWebhookId),
  );
  if (targets.length === 0) return [];
  const recorded = await recordedDeliveries(
    event.partnerId,
    targets.map((webhook) => webhook.id),
    event.id,
  );
  const payload = JSON.stringify(event);
  const created = clock(deps).toISOString();
  const results = await Promise.all(
    targets
      .filter((webhook) => !recorded.has(webhook.id))
      .map((webhook) =>
        attemptAndRecord(
          webhook,
          {
            id: event.id,
            partnerId: event.partnerId,
            webhookId: webhook.id,
            eventId: event.id,
            eventType: event.type,
            payload,
            status: 'pending',
            attempts: 0,
            lastAttemptAt: null,
            lastResponseStatus: null,
            lastError: null,
            nextAttemptAt: null,
            createdAt: created,
            updatedAt: created,
          },
          { first: true },
          deps,
          { retryInPlace: true },
        ),
      ),
  );
  return results.map((result) => result.delivery);
}

const SWEEP_PAGE = 25;

/**
 * The retries due at `now`, page by page until none is left or `deadline` passes. A delivery
 * whose endpoint is gone or disabled is closed without a POST.
 */
export async function runWebhookRetries(
  deps: DeliveryDeps & { deadline?: Date } = {},
): Promise<{ attempted: number; closed: number }> {
  const seen = new Set<string>();
  const totals = { attempted: 0, closed: 0 };
  for (;;) {
    const now = clock(deps);
    if (deps.deadline && now >= deps.deadline) break;
    const due = (await dueDeliveries(now, SWEEP_PAGE)).filter(
      (delivery) => !seen.has(`${delivery.webhookId}#${delivery.id}`),
    );
    if (due.length === 0) break;
    const webhooks = await webhooksOf(due);
    await Promise.all(
      due.map(async (delivery) => {
        seen.add(`${delivery.webhookId}#${delivery.id}`);
        const webhook = webhooks.get(delivery.webhookId);
        const condition = { first: false, previousAttempts: delivery.attempts } as const;
        if (!webhook?.enabled) {
          totals.closed++;
          const closed: Delivery = {
            ...delivery,
            status: 'endpoint_disabled',
            nextAttemptAt: null,
            updatedAt: now.toISOString(),
          };
          await recordAttempt(
            closed,
            webhook ?? placeholder(delivery),
            { kind: 'none' },
            condition,
          );
          return;
        }
        totals.attempted++;
        await attemptAndRecord(webhook, delivery, condition, deps);
      }),
    );
  }
  return totals;
}

/** The endpoint a delivery named, removed since: only its key is needed to record the close. */
const placeholder = (delivery: Delivery): Webhook => ({
  id: delivery.webhookId,
  partnerId: delivery.partnerId,
  url: '',
  eventTypes: null,
  description: null,
  enabled: false,
  disabledReason: null,
  failingSince: null,
  secrets: [],
  createdAt: delivery.createdAt,
  updatedAt: delivery.updatedAt,
  createdBy: '',
});

/** A delivery as its partner reads it: not the payload (the event is in the feed). */
export type DeliveryView = Omit<Delivery, 'partnerId' | 'payload'>;

const deliveryView = ({ partnerId: _p, payload: _b, ...view }: Delivery): DeliveryView => view;

export async function listWebhookDeliveries(
  scope: TenantScope,
  webhookId: string,
  limit: number,
  cursor: string | undefined,
): Promise<Page<DeliveryView>> {
  if (!(await getWebhook(scope.partnerId, webhookId))) throw notFound('Webhook');
  const page = await listDeliveries(scope.partnerId, webhookId, limit, cursor);
  return { items: page.items.map(deliveryView), nextCursor: page.nextCursor };
}

/**
 * Sends a delivery again now, whatever its state, with the same `webhook-id`: the answer
 * decides what follows as for any attempt (a failure waits for the schedule's next step).
 */
export async function retryWebhookDelivery(
  scope: TenantScope,
  webhookId: string,
  deliveryId: string,
  deps: DeliveryDeps = {},
): Promise<DeliveryView> {
  const [webhook, delivery] = await Promise.all([
    getWebhook(scope.partnerId, webhookId),
    getDelivery(scope.partnerId, webhookId, deliveryId),
  ]);
  if (!webhook || !delivery) throw notFound(webhook ? 'Delivery' : 'Webhook');
  if (!webhook.enabled) throw webhookDisabled();
  const { recorded, delivery: after } = await attemptAndRecord(
    webhook,
    delivery,
    { first: false, previousAttempts: delivery.attempts },
    deps,
    { retryInPlace: false, scope },
  );
  if (!recorded) {
    // A sweep recorded an attempt meanwhile: the log shows that one.
    const current = await getDelivery(scope.partnerId, webhookId, deliveryId);
    return deliveryView(current ?? after);
  }
  return deliveryView(after);
}
