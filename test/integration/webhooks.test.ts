/**
 * Webhooks against DynamoDB Local, delivered to a receiver each test starts on 127.0.0.1 (the
 * local stage's address; the integration project runs with STAGE=local): the routes as API
 * Gateway calls them, the fan-out from an event, the signatures as standardwebhooks verifies
 * them, the retry schedule, 410, rotation, manual retry, and a crash between a POST and its
 * record.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyStructuredResultV2, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { Webhook } from 'standardwebhooks';
import { ulid } from 'ulid';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as createHandler } from '#functions/create-webhook.ts';
import { handler as deleteHandler } from '#functions/delete-webhook.ts';
import { handler as deliverHandler } from '#functions/deliver-webhooks.ts';
import { handler as getHandler } from '#functions/get-webhook.ts';
import { handler as deliveriesHandler } from '#functions/list-webhook-deliveries.ts';
import { handler as listHandler } from '#functions/list-webhooks.ts';
import { handler as retryHandler } from '#functions/retry-webhook-delivery.ts';
import { handler as rotateHandler } from '#functions/rotate-webhook-secret.ts';
import { handler as testHandler } from '#functions/test-webhook.ts';
import { handler as updateHandler } from '#functions/update-webhook.ts';
import { webhookDeliveryResponse, webhookResponse } from '#lib/api/responses.ts';
import type { AuthorizerContext } from '#lib/auth/principal.ts';
import { documentClient } from '#lib/clients/dynamodb.ts';
import type { HttpEvent } from '#lib/http/handler.ts';
import { endInvocation } from '#lib/invocation.ts';
import { deliverOutboxMessage } from '#lib/mail/deliver.ts';
import { createCompany } from '#lib/provisioning/companies.ts';
import { listEvents } from '#lib/provisioning/events.ts';
import type { TenantScope } from '#lib/provisioning/scope.ts';
import { deliverEvent, runWebhookRetries } from '#lib/provisioning/webhook-delivery.ts';
import {
  createWebhook,
  removeWebhook,
  rotateWebhookSecret,
  updateWebhook,
} from '#lib/provisioning/webhooks.ts';
import { FEED_SETTLE_MS } from '#lib/rules/events.ts';
import { MAX_ATTEMPTS } from '#lib/rules/webhooks.ts';
import { listAudit } from '#lib/store/audit.ts';
import type { DomainEvent } from '#lib/store/events.ts';
import { keys } from '#lib/store/keys.ts';
import { getItem } from '#lib/store/table.ts';
import { getDelivery, getWebhook } from '#lib/store/webhooks.ts';
import {
  companyBody,
  createCompanyRequest,
  newPartner,
  staffAuthorizerContext,
  staffWithPassword,
} from '../support/builders.ts';
import { lambdaContext } from '../support/lambda-context.ts';
import { printed } from '../unit/output.ts';
import { scanForValue } from './scan.ts';
import { countRequests, outboxIdsFor } from './support.ts';

// ---- A receiver -------------------------------------------------------------------------------

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

interface Receiver {
  url: string;
  received: Received[];
  /** Statuses to answer, in order; 200 once they run out. */
  script: number[];
  close: () => Promise<void>;
}

const receivers: Receiver[] = [];

async function startReceiver(script: number[] = []): Promise<Receiver> {
  const received: Received[] = [];
  const receiver = { received, script: [...script] } as Receiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = receiver.script.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}/hooks`;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  receivers.push(receiver);
  return receiver;
}

afterAll(async () => {
  await Promise.all(receivers.map((receiver) => receiver.close()));
});

const verify = (secret: string, received: Received) =>
  new Webhook(secret).verify(received.body, received.headers as Record<string, string>);

/** Verified as a receiver would at `at`: standardwebhooks refuses timestamps 5 min off its clock. */
function verifyAt(secret: string, received: Received, at: Date) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at);
  try {
    return verify(secret, received);
  } finally {
    vi.useRealTimers();
  }
}

// ---- Routes, as API Gateway calls them ----------------------------------------------------------

type Reply = { status: number; body: any; headers: Record<string, string> };
type Handler = (event: HttpEvent, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

async function invoke(
  handler: Handler,
  lambda: AuthorizerContext,
  request: {
    body?: unknown;
    query?: Record<string, string>;
    params?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
): Promise<Reply> {
  const event = createCompanyRequest(ulid(), request.body === undefined ? '' : request.body);
  if (request.body === undefined) event.body = undefined;
  event.queryStringParameters = request.query;
  event.pathParameters = request.params;
  event.headers = { ...event.headers, ...request.headers };
  (event.requestContext.authorizer as { lambda: unknown }).lambda = lambda;
  const reply = (await handler(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;
  return {
    status: reply.statusCode as number,
    body: reply.body ? JSON.parse(reply.body) : undefined,
    headers: (reply.headers ?? {}) as Record<string, string>,
  };
}

const staffScope = (partnerId: string): TenantScope => ({
  partnerId,
  partnerName: 'Staff IT',
  fineIncrements: false,
  companyId: null,
  actor: `staff:${ulid()}`,
  actingAs: null,
});

/** The events of a new company: company.created and account.created. */
async function companyEvents(scope: TenantScope): Promise<DomainEvent[]> {
  const { company } = await createCompany(scope, companyBody());
  const settled = new Date(Date.now() + FEED_SETTLE_MS + 1000);
  const feed = await listEvents(scope, { limit: 100 }, settled);
  return feed.items.filter((event) => event.companyId === company.id);
}

const noSleep = async () => {};

const minutes = (at: Date, n: number) => new Date(at.getTime() + n * 60_000);

describe('webhook routes', () => {
  it('registers an endpoint with its secret shown once, lists, reads, changes and removes it', async () => {
    const partnerId = ulid();
    const owner = staffAuthorizerContext(partnerId, 'owner');
    const receiver = await startReceiver();

    const created = await invoke(createHandler, owner, {
      body: { url: receiver.url, eventTypes: ['account.created'], description: ' Billing ' },
    });
    const id = created.body.id as string;
    const secret = created.body.secret as string;
    const rotated = await invoke(rotateHandler, owner, { params: { webhookId: id } });
    const listed = await invoke(listHandler, owner, { query: { limit: '10' } });
    const read = await invoke(getHandler, owner, { params: { webhookId: id } });
    const stored = [
      ...(await scanForValue(secret.slice('whsec_'.length))),
      ...(await scanForValue(String(rotated.body.secret).slice('whsec_'.length))),
    ];
    const changed = await invoke(updateHandler, staffAuthorizerContext(partnerId, 'admin'), {
      params: { webhookId: id },
      body: { eventTypes: null, enabled: false },
    });
    const removed = await invoke(deleteHandler, owner, { params: { webhookId: id } });
    const gone = await invoke(getHandler, owner, { params: { webhookId: id } });
    const audit = await listAudit(partnerId, 10, undefined);

    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.headers.location).toBe(`/v1/webhooks/${id}`);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(created.body).toMatchObject({
      url: receiver.url,
      eventTypes: ['account.created'],
      description: 'Billing',
      enabled: true,
      disabledReason: null,
      previousSecretExpiresAt: null,
    });
    // The secret is in that reply only: stored sealed, never in a listing or a read.
    expect(stored).toEqual([]);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(secret);
    expect(rotated.body.previousSecretExpiresAt).not.toBeNull();
    const later = JSON.stringify([listed.body, read.body, changed.body, removed.body]);
    expect(later).not.toContain(secret.slice(6));
    expect(later).not.toContain(String(rotated.body.secret).slice(6));
    expect(later).not.toContain('sealed');
    expect(listed.body.items).toEqual([read.body]);
    expect(webhookResponse.safeParse(read.body).success).toBe(true);
    expect(changed.body).toMatchObject({ eventTypes: null, enabled: false });
    expect(removed.status).toBe(200);
    expect(gone.status).toBe(404);
    expect(audit.items.map((entry) => entry.action)).toEqual([
      'webhook.delete',
      'webhook.update',
      'webhook.rotateSecret',
      'webhook.create',
    ]);
  });

  it('is for owners and admins only, and another partner’s endpoint is not found', async () => {
    const partnerId = ulid();
    const receiver = await startReceiver();
    const created = await invoke(createHandler, staffAuthorizerContext(partnerId, 'admin'), {
      body: { url: receiver.url },
    });
    const params = { webhookId: created.body.id };

    const operator = await invoke(listHandler, staffAuthorizerContext(partnerId, 'operator'));
    const billing = await invoke(getHandler, staffAuthorizerContext(partnerId, 'billing'), {
      params,
    });
    const other = await invoke(getHandler, staffAuthorizerContext(ulid(), 'owner'), { params });
    const otherDelete = await invoke(deleteHandler, staffAuthorizerContext(ulid(), 'owner'), {
      params,
    });

    expect(created.status).toBe(201);
    expect([operator.status, billing.status]).toEqual([403, 403]);
    expect([other.status, otherDelete.status]).toEqual([404, 404]);
    expect(await getWebhook(partnerId, created.body.id)).not.toBeNull();
  });

  it.each([
    ['http://hooks.example.com/in', 'https'],
    ['https://169.254.169.254/latest/meta-data/', 'link-local'],
    ['https://10.0.0.1/in', 'private'],
    ['https://[::ffff:127.0.0.1]/in', 'loopback'],
    ['http://127.0.0.1/no-port', 'https'],
  ])('refuses %s with a 400 naming url', async (url, message) => {
    const owner = staffAuthorizerContext(ulid(), 'owner');
    const reply = await invoke(createHandler, owner, { body: { url } });
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('VALIDATION_FAILED');
    expect(reply.body.errors).toEqual([{ path: 'url', message: expect.stringContaining(message) }]);
  });

  it('refuses a host name that resolves to the metadata address or a private one', async () => {
    const scope = staffScope(ulid());
    const answers: Record<string, string[]> = {
      'metadata.example.com': ['169.254.169.254'],
      'internal.example.com': ['10.0.0.1'],
      'mixed.example.com': ['93.184.216.34', '10.0.0.1'],
      'mapped.example.com': ['::ffff:10.0.0.1'],
    };
    const resolve = async (host: string) => answers[host] ?? [];

    for (const host of Object.keys(answers)) {
      await expect(
        createWebhook(scope, { url: `https://${host}/in` }, new Date(), { resolve }),
      ).rejects.toMatchObject({
        status: 400,
        code: 'VALIDATION_FAILED',
        errors: [{ path: 'url', message: expect.stringContaining('resolves to') }],
      });
    }
    // A name with only public addresses is taken; changing it to a private one is refused.
    const ok = await createWebhook(scope, { url: 'https://public.example.com/in' }, new Date(), {
      resolve: async () => ['93.184.216.34'],
    });
    await expect(
      updateWebhook(scope, ok.id, { url: 'https://internal.example.com/in' }, new Date(), {
        resolve,
      }),
    ).rejects.toMatchObject({ status: 400, errors: [{ path: 'url' }] });
  });

  it('checks the address again at delivery: a name now resolving to 169.254.169.254 gets no POST', async () => {
    const scope = staffScope(ulid());
    let answer = ['93.184.216.34'];
    const resolve = async () => answer;
    const created = await createWebhook(
      scope,
      { url: 'https://rebind.example.com/in' },
      new Date(),
      {
        resolve,
      },
    );
    answer = ['169.254.169.254'];
    const [event] = await companyEvents(scope);

    const [delivery] = await deliverEvent(event as DomainEvent, {}, { resolve, sleep: noSleep });

    expect(delivery).toMatchObject({
      webhookId: created.id,
      status: 'pending',
      attempts: 2,
      lastResponseStatus: null,
      lastError: expect.stringContaining('Address refused'),
    });
    // Its retries would resolve the made-up name for real: the endpoint goes, and they with it.
    await removeWebhook(scope, created.id);
  });
});

describe('webhook delivery', () => {
  it('fans a new company’s events out, signed, with at most 3 requests per event to one endpoint', async () => {
    const scope = staffScope(ulid());
    const all = await startReceiver();
    const accountsOnly = await startReceiver();
    const disabled = await startReceiver();
    const toAll = await createWebhook(scope, { url: all.url });
    await createWebhook(scope, { url: accountsOnly.url, eventTypes: ['account.created'] });
    const off = await createWebhook(scope, { url: disabled.url });
    await updateWebhook(scope, off.id, { enabled: false });
    const events = await companyEvents(scope);
    const other = staffScope(ulid());
    await createWebhook(other, { url: all.url });
    const alone = await createWebhook(staffScope(scope.partnerId), { url: all.url });
    await updateWebhook(staffScope(scope.partnerId), alone.id, { enabled: false });

    const counted = [];
    for (const event of events) {
      counted.push((await countRequests(() => deliverEvent(event, {}))).requests);
    }

    expect(events.map((e) => e.type)).toEqual(['company.created', 'account.created']);
    expect(all.received.map((r) => JSON.parse(r.body).type)).toEqual([
      'company.created',
      'account.created',
    ]);
    expect(accountsOnly.received.map((r) => JSON.parse(r.body).type)).toEqual(['account.created']);
    expect(disabled.received).toEqual([]);
    for (const [index, received] of all.received.entries()) {
      const event = events[index] as DomainEvent;
      expect(verify(toAll.secret, received)).toEqual(event);
      expect(received.headers['webhook-id']).toBe(event.id);
    }
    // The Query of the endpoints, the BatchGet of recorded deliveries, one write per endpoint.
    expect(counted[0]).toEqual(['QueryCommand', 'BatchGetItemCommand', 'PutItemCommand']);
    expect(counted[1]?.filter((name) => name === 'PutItemCommand')).toHaveLength(2);
    expect(counted[1]).toHaveLength(4);
    const delivery = await getDelivery(scope.partnerId, toAll.id, events[0]?.id as string);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, lastResponseStatus: 200 });
  });

  it('retries a failure 5 s later, then from the table: failing twice then succeeding, with one webhook-id', async () => {
    const scope = staffScope(ulid());
    const receiver = await startReceiver([500, 503]);
    const endpoint = await createWebhook(scope, {
      url: receiver.url,
      eventTypes: ['company.created'],
    });
    const [event] = await companyEvents(scope);
    const start = new Date();
    const waits: number[] = [];

    const [afterStream] = await deliverEvent(
      event as DomainEvent,
      {},
      {
        sleep: async (ms) => {
          waits.push(ms);
        },
      },
    );
    const failing = await getWebhook(scope.partnerId, endpoint.id);
    const early = await runWebhookRetries({ now: () => minutes(start, 4) });
    const late = await runWebhookRetries({ now: () => minutes(start, 6) });
    const after = await getDelivery(scope.partnerId, endpoint.id, event?.id as string);
    const healed = await getWebhook(scope.partnerId, endpoint.id);

    expect(waits).toEqual([5000]);
    expect(afterStream).toMatchObject({ status: 'pending', attempts: 2, lastResponseStatus: 503 });
    const next = Date.parse(afterStream?.nextAttemptAt as string) - Date.now();
    expect(next).toBeGreaterThan(4 * 60_000);
    expect(next).toBeLessThanOrEqual(5 * 60_000);
    expect(failing?.failingSince).not.toBeNull();
    expect(early.attempted).toBe(0);
    expect(late.attempted).toBeGreaterThanOrEqual(1);
    expect(after).toMatchObject({ status: 'delivered', attempts: 3, lastResponseStatus: 200 });
    expect(after?.nextAttemptAt).toBeNull();
    expect(healed?.failingSince).toBeNull();
    expect(receiver.received).toHaveLength(3);
    const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
    expect([...ids]).toEqual([event?.id]);
    for (const received of receiver.received) {
      const sentAt = new Date(Number(received.headers['webhook-timestamp']) * 1000);
      expect(verifyAt(endpoint.secret, received, sentAt)).toEqual(event);
    }
  });

  it('gives up after the whole schedule, counted for the alarm, and the event stays in the feed', async () => {
    const scope = staffScope(ulid());
    const receiver = await startReceiver(new Array(MAX_ATTEMPTS + 1).fill(500));
    const endpoint = await createWebhook(scope, {
      url: receiver.url,
      eventTypes: ['company.created'],
    });
    const [event] = await companyEvents(scope);
    const deliveryId = event?.id as string;

    await deliverEvent(event as DomainEvent, {}, { sleep: noSleep });
    let guard = 0;
    let output: Record<string, unknown>[] = [];
    const previous = process.env.POWERTOOLS_METRICS_DISABLED;
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    try {
      for (;;) {
        const current = await getDelivery(scope.partnerId, endpoint.id, deliveryId);
        if (current?.status !== 'pending' || guard++ > MAX_ATTEMPTS) break;
        const due = new Date(Date.parse(current.nextAttemptAt as string) + 1000);
        output = output.concat(
          await printed(async () => {
            await runWebhookRetries({ now: () => due });
            endInvocation();
          }),
        );
      }
    } finally {
      process.env.POWERTOOLS_METRICS_DISABLED = previous;
    }
    const final = await getDelivery(scope.partnerId, endpoint.id, deliveryId);
    const feed = await listEvents(
      scope,
      { limit: 100 },
      new Date(Date.now() + FEED_SETTLE_MS + 1000),
    );

    expect(final).toMatchObject({
      status: 'given_up',
      attempts: MAX_ATTEMPTS,
      nextAttemptAt: null,
    });
    expect(receiver.received).toHaveLength(MAX_ATTEMPTS);
    const givenUp = output
      .filter((line) => '_aws' in line)
      .reduce((sum, line) => sum + Number(line.WebhookDeliveriesGivenUp ?? 0), 0);
    expect(givenUp).toBeGreaterThanOrEqual(1);
    expect(feed.items.map((e) => e.id)).toContain(deliveryId);
    // Given up is not disabled: the endpoint has failed for about 3 days, not 5.
    expect((await getWebhook(scope.partnerId, endpoint.id))?.enabled).toBe(true);
  });

  it('disables the endpoint at once on 410 Gone, and sends it nothing more', async () => {
    const scope = staffScope(ulid());
    const receiver = await startReceiver([410]);
    const endpoint = await createWebhook(scope, { url: receiver.url });
    const [first, second] = await companyEvents(scope);

    const [delivery] = await deliverEvent(first as DomainEvent, {}, { sleep: noSleep });
    const after = await deliverEvent(second as DomainEvent, {}, { sleep: noSleep });
    const webhook = await getWebhook(scope.partnerId, endpoint.id);

    expect(delivery).toMatchObject({
      status: 'endpoint_disabled',
      attempts: 1,
      lastResponseStatus: 410,
    });
    expect(webhook).toMatchObject({ enabled: false, disabledReason: 'gone' });
    expect(after).toEqual([]);
    expect(receiver.received).toHaveLength(1);
  });

  it('disables an endpoint that has delivered nothing for 5 days, and e-mails the partner’s owners', async () => {
    // A partner of its own: its staff count its owners on the partner item.
    const scope = staffScope((await newPartner('Hooks Disabled IT')).partnerId);
    const owner = await staffWithPassword(scope.partnerId, { role: 'owner' });
    const admin = await staffWithPassword(scope.partnerId, { role: 'admin' });
    const receiver = await startReceiver(new Array(4).fill(500));
    const endpoint = await createWebhook(scope, { url: receiver.url });
    const [first, second] = await companyEvents(scope);
    await deliverEvent(first as DomainEvent, {}, { sleep: noSleep });
    const since = (await getWebhook(scope.partnerId, endpoint.id))?.failingSince as string;

    const later = new Date(Date.parse(since) + 5 * 24 * 3600_000 + 1000);
    const [delivery] = await deliverEvent(
      second as DomainEvent,
      {},
      {
        sleep: noSleep,
        now: () => later,
      },
    );

    const toOwner = await outboxIdsFor(owner.staff.id, 'webhook-disabled');
    const toAdmin = await outboxIdsFor(admin.staff.id, 'webhook-disabled');
    const sent = await deliverOutboxMessage(toOwner[0] as string);

    expect(delivery).toMatchObject({ status: 'endpoint_disabled', attempts: 1 });
    expect(await getWebhook(scope.partnerId, endpoint.id)).toMatchObject({
      enabled: false,
      disabledReason: 'failing',
    });
    expect(toOwner).toHaveLength(1);
    expect(toAdmin).toEqual([]);
    expect(sent).toBe('sent');
    // Before 5 days, a failure disables nothing and e-mails nobody (the first delivery above).
    expect(since).not.toBeUndefined();
  });

  it('signs with both secrets for 24 h after a rotation, then with the new one only', async () => {
    const scope = staffScope(ulid());
    const receiver = await startReceiver();
    const endpoint = await createWebhook(scope, {
      url: receiver.url,
      eventTypes: ['company.created'],
    });
    const now = new Date();
    const rotated = await rotateWebhookSecret(scope, endpoint.id, now);
    const [first] = await companyEvents(scope);
    const [second] = await companyEvents(scope);

    await deliverEvent(first as DomainEvent, {}, { now: () => minutes(now, 60) });
    await deliverEvent(second as DomainEvent, {}, { now: () => minutes(now, 25 * 60) });

    const [during, after] = receiver.received as [Received, Received];
    const duringAt = minutes(now, 60);
    const afterAt = minutes(now, 25 * 60);
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(Date.parse(rotated.previousSecretExpiresAt as string)).toBe(
      now.getTime() + 24 * 3600_000,
    );
    expect(during.headers['webhook-signature']?.toString().split(' ')).toHaveLength(2);
    // A receiver holding either secret verifies the delivery during the overlap.
    expect(verifyAt(endpoint.secret, during, duringAt)).toEqual(first);
    expect(verifyAt(rotated.secret, during, duringAt)).toEqual(first);
    expect(after.headers['webhook-signature']?.toString().split(' ')).toHaveLength(1);
    expect(verifyAt(rotated.secret, after, afterAt)).toEqual(second);
    expect(() => verifyAt(endpoint.secret, after, afterAt)).toThrow();
  });

  it('retries a delivery by hand with the same webhook-id, and lists the log', async () => {
    const partnerId = ulid();
    const owner = staffAuthorizerContext(partnerId, 'owner');
    const scope = staffScope(partnerId);
    const receiver = await startReceiver([500, 500]);
    const endpoint = await createWebhook(scope, {
      url: receiver.url,
      eventTypes: ['company.created'],
    });
    const [event] = await companyEvents(scope);
    await deliverEvent(event as DomainEvent, {}, { sleep: noSleep });
    const params = { webhookId: endpoint.id, deliveryId: event?.id as string };

    const retried = await invoke(retryHandler, owner, { params });
    const log = await invoke(deliveriesHandler, owner, { params: { webhookId: endpoint.id } });
    const operator = await invoke(retryHandler, staffAuthorizerContext(partnerId, 'operator'), {
      params,
    });
    const unknown = await invoke(retryHandler, owner, {
      params: { ...params, deliveryId: ulid() },
    });

    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body).toMatchObject({
      status: 'delivered',
      attempts: 3,
      lastResponseStatus: 200,
    });
    expect(webhookDeliveryResponse.safeParse(retried.body).success).toBe(true);
    expect(log.body.items).toEqual([retried.body]);
    expect(JSON.stringify(log.body)).not.toContain('payload');
    expect(operator.status).toBe(403);
    expect(unknown.status).toBe(404);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(
      new Set([event?.id]),
    );
  });

  it('sends a test event to that endpoint only, through the stream', async () => {
    const partnerId = ulid();
    const owner = staffAuthorizerContext(partnerId, 'owner');
    const target = await startReceiver();
    const bystander = await startReceiver();
    const scope = staffScope(partnerId);
    const endpoint = await createWebhook(scope, { url: target.url });
    await createWebhook(scope, { url: bystander.url });

    const sent = await invoke(testHandler, owner, {
      params: { webhookId: endpoint.id },
      headers: { 'idempotency-key': `test-${endpoint.id}` },
    });
    const again = await invoke(testHandler, owner, {
      params: { webhookId: endpoint.id },
      headers: { 'idempotency-key': `test-${endpoint.id}` },
    });
    const item = await getItem(keys.event(partnerId, sent.body.id));
    const stream: DynamoDBStreamEvent = {
      Records: [
        {
          eventID: '1',
          eventName: 'INSERT',
          eventSource: 'aws:dynamodb',
          dynamodb: { NewImage: marshall(item ?? {}) as never },
        },
      ],
    };
    const result = await deliverHandler(stream, lambdaContext());

    expect(sent.status).toBe(202);
    // The same key: the same event, and no second one in the feed.
    expect(again.status).toBe(202);
    expect(again.body).toEqual(sent.body);
    const tests = (
      await listEvents(scope, { limit: 100 }, new Date(Date.now() + FEED_SETTLE_MS + 1000))
    ).items.filter((event) => event.type === 'webhook.test');
    expect(tests.map((event) => event.id)).toEqual([sent.body.id]);
    expect(sent.body).toMatchObject({ type: 'webhook.test', data: { webhookId: endpoint.id } });
    expect(result).toEqual({ batchItemFailures: [] });
    expect(target.received).toHaveLength(1);
    expect(verify(endpoint.secret, target.received[0] as Received)).toEqual(sent.body);
    expect(bystander.received).toEqual([]);
  });
});

describe('a crash between the POST and its record', () => {
  const realSend = documentClient.send.bind(documentClient) as (
    command: unknown,
  ) => Promise<unknown>;
  let mock: ReturnType<typeof mockClient>;
  let crashes = 0;

  beforeAll(() => {
    // Made here, not at collection: the stub replaces `send` for the whole file from then on.
    mock = mockClient(documentClient);
    mock.send.callsFake(((command: unknown) => {
      const isRecord =
        command instanceof PutCommand &&
        (command.input.Item as Record<string, unknown> | undefined)?.entity === 'WEBHOOK_DELIVERY';
      if (isRecord && crashes > 0) {
        crashes--;
        return Promise.reject(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
      }
      return realSend(command);
    }) as never);
  });
  afterEach(() => {
    crashes = 0;
  });
  afterAll(() => mock.restore());

  it('sends the POST once more when the stream redelivers, with the same webhook-id, and no more', async () => {
    const scope = staffScope(ulid());
    const receiver = await startReceiver();
    const endpoint = await createWebhook(scope, {
      url: receiver.url,
      eventTypes: ['company.created'],
    });
    const [event] = await companyEvents(scope);

    crashes = 1;
    const crashed = await deliverEvent(event as DomainEvent, {}).then(
      () => 'recorded',
      (error: Error) => error.message,
    );
    await deliverEvent(event as DomainEvent, {});
    await deliverEvent(event as DomainEvent, {});

    expect(crashed).toBe('socket hang up');
    expect(receiver.received).toHaveLength(2);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(
      new Set([event?.id]),
    );
    expect(await getDelivery(scope.partnerId, endpoint.id, event?.id as string)).toMatchObject({
      status: 'delivered',
      attempts: 1,
    });
  });
});
