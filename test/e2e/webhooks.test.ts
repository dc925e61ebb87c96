/**
 * Webhooks over HTTP against the running stack, as a partner meets them: the owner registers an
 * endpoint on a receiver of its own (the local stage's http://127.0.0.1:<port>), creates a
 * company, and the receiver gets company.created and account.created from the stream, each
 * verified with the standardwebhooks library as a partner's receiver would; a receiver that fails
 * twice is retried on the schedule (shortened by the e2e stack) with one webhook-id, and 410
 * disables the endpoint.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GB, uniqueName } from '../support/http-fixtures.ts';
import { call, type EnrolledStaff, enrolStaff, newPartnerWithOwner } from './helpers.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A partner's receiver: records every request and answers the status `answer` gives the nth. */
async function startReceiver(answer: (nth: number) => number = () => 204) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = answer(received.length);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receivers.push(server);
  return { received, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` };
}

const receivers: Server[] = [];
let owner: EnrolledStaff;

beforeAll(async () => {
  const ownerEmail = `${uniqueName('hooks.owner.')}@acme-it.example`;
  await newPartnerWithOwner(uniqueName('Hooks IT '), ownerEmail);
  owner = await enrolStaff(ownerEmail);
});

afterAll(async () => {
  await Promise.all(
    receivers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
  );
});

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    value = await read();
  }
  return value;
}

const waitFor = (received: Received[], count: number) =>
  until(
    async () => received.length,
    (length) => length >= count,
  );

async function register(url: string, eventTypes: string[]) {
  const registered = await call('POST', '/v1/webhooks', {
    token: owner.token,
    body: { url, eventTypes },
  });
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  return registered.body as { id: string; secret: string };
}

describe('webhooks over HTTP', () => {
  it('delivers a new company’s events to the registered endpoint, signed and verifiable', async () => {
    const { received, url } = await startReceiver();
    const registered = await register(url, ['company.created', 'account.created']);
    const secret = registered.secret;

    const username = uniqueName('hooks.admin.');
    const created = await call('POST', '/v1/companies', {
      token: owner.token,
      body: {
        name: uniqueName('Hooks Co '),
        quotaMb: 10 * GB,
        contact: { fullName: 'Hana Hooks', email: `${username}@customer.example` },
        admin: { username, plan: 'select' },
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await waitFor(received, 2);

    const verifier = new Webhook(secret);
    const events = received.map(
      (r) => verifier.verify(r.body, r.headers as Record<string, string>) as Record<string, any>,
    );
    expect(events.map((event) => event.type).sort()).toEqual([
      'account.created',
      'company.created',
    ]);
    const company = events.find((event) => event.type === 'company.created');
    const account = events.find((event) => event.type === 'account.created');
    expect(company?.data.company.id).toBe(created.body.company.id);
    expect(account?.data.account.id).toBe(created.body.account.id);
    for (const [index, r] of received.entries()) {
      expect(r.headers['webhook-id']).toBe(events[index]?.id);
    }
    // The delivery log shows both, delivered at the first attempt.
    const log = await call('GET', `/v1/webhooks/${registered.id}/deliveries`, {
      token: owner.token,
    });
    expect(log.status).toBe(200);
    expect(log.body.items.map((d: { status: string }) => d.status)).toEqual([
      'delivered',
      'delivered',
    ]);
  });

  it('retries a receiver that fails twice and then succeeds, with the same webhook-id each time', async () => {
    // Two 500s, then 204: the in-place retry, then one from the sweeper's schedule
    const { received, url } = await startReceiver((nth) => (nth <= 2 ? 500 : 204));
    const registered = await register(url, ['webhook.test']);

    const test = await call('POST', `/v1/webhooks/${registered.id}/test`, { token: owner.token });
    expect(test.status, JSON.stringify(test.body)).toBeLessThan(300);
    const log = await until(
      () => call('GET', `/v1/webhooks/${registered.id}/deliveries`, { token: owner.token }),
      (reply) => reply.body.items?.[0]?.status === 'delivered',
    );

    expect(log.body.items).toHaveLength(1);
    expect(log.body.items[0]).toMatchObject({
      status: 'delivered',
      attempts: 3,
      lastResponseStatus: 204,
      nextAttemptAt: null,
    });
    expect(received).toHaveLength(3);
    const ids = new Set(received.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    const verifier = new Webhook(registered.secret);
    for (const r of received) {
      expect(verifier.verify(r.body, r.headers as Record<string, string>)).toMatchObject({
        type: 'webhook.test',
      });
    }
  });

  it('disables an endpoint that answers 410 Gone, and sends it nothing more', async () => {
    const { received, url } = await startReceiver(() => 410);
    const registered = await register(url, ['webhook.test']);

    await call('POST', `/v1/webhooks/${registered.id}/test`, { token: owner.token });
    const endpoint = await until(
      () => call('GET', `/v1/webhooks/${registered.id}`, { token: owner.token }),
      (reply) => reply.body.enabled === false,
    );

    expect(endpoint.body).toMatchObject({ enabled: false, disabledReason: 'gone' });
    expect(received).toHaveLength(1);
    const log = await call('GET', `/v1/webhooks/${registered.id}/deliveries`, {
      token: owner.token,
    });
    expect(log.body.items[0]).toMatchObject({ status: 'endpoint_disabled', attempts: 1 });
  });
});
