/**
 * Webhooks over HTTP against the running stack, as a partner meets them: the owner registers an
 * endpoint on a receiver of its own (the local stage's http://127.0.0.1:<port>), creates a
 * company, and the receiver gets company.created and account.created from the stream, each
 * verified with the standardwebhooks library as a partner's receiver would.
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

const received: Received[] = [];
let server: Server;
let url: string;
let owner: EnrolledStaff;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  const ownerEmail = `${uniqueName('hooks.owner.')}@acme-it.example`;
  await newPartnerWithOwner(uniqueName('Hooks IT '), ownerEmail);
  owner = await enrolStaff(ownerEmail);
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function waitFor(count: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (received.length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('webhooks over HTTP', () => {
  it('delivers a new company’s events to the registered endpoint, signed and verifiable', async () => {
    const registered = await call('POST', '/v1/webhooks', {
      token: owner.token,
      body: { url, eventTypes: ['company.created', 'account.created'] },
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const secret = registered.body.secret as string;

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
    await waitFor(2);

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
    const log = await call('GET', `/v1/webhooks/${registered.body.id}/deliveries`, {
      token: owner.token,
    });
    expect(log.status).toBe(200);
    expect(log.body.items.map((d: { status: string }) => d.status)).toEqual([
      'delivered',
      'delivered',
    ]);
  });
});
