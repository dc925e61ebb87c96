/** The event feed through the gateway: what it refuses, and a reader catching up after a cursor. */
import { beforeAll, describe, expect, it } from 'vitest';
import { call, createCompany } from '../../support/gateway.ts';
import { errorPaths, expectProblem } from '../../support/http-fixtures.ts';
import { newPartnerWithKey, type Partner } from './support.ts';

let partner: Partner;

beforeAll(async () => {
  partner = await newPartnerWithKey('Events IT');
});

/** The feed after `after`, once it holds `count` events (an event is listed once settled). */
async function feedOnce(count: number, after?: string) {
  const path = `/v1/events?limit=100${after ? `&after=${after}` : ''}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const reply = await call('GET', path, { token: partner.apiKey });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    if (reply.body.items.length >= count || Date.now() > deadline) return reply.body.items;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('GET /v1/events', () => {
  it.each([
    ['type=company.nope', 'type'],
    ['after=not-an-id', 'after'],
    ['limit=0', 'limit'],
    ['since=yesterday', 'since'],
  ])('refuses %s, naming %s', async (search, field) => {
    const reply = await call('GET', `/v1/events?${search}`, { token: partner.apiKey });

    expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect(errorPaths(reply).some((path) => path.startsWith(`query.${field}`))).toBe(true);
  });

  it('after a cursor returns exactly what happened since, oldest first', async () => {
    const first = await createCompany(partner.apiKey);
    const renamed = await call('PATCH', `/v1/companies/${first.company.id}`, {
      token: partner.apiKey,
      body: { name: 'Renamed By Feed' },
    });
    const second = await createCompany(partner.apiKey);
    const all = await feedOnce(5);
    const cursor = all[1].id as string;

    const since = (await call('GET', `/v1/events?after=${cursor}`, { token: partner.apiKey })).body
      .items;

    expect(renamed.status).toBe(200);
    expect(all.slice(0, 2).map((event: { type: string }) => event.type)).toEqual([
      'company.created',
      'account.created',
    ]);
    expect(
      since.map((event: { type: string; companyId: string }) => [event.type, event.companyId]),
    ).toEqual([
      ['company.updated', first.company.id],
      ['company.created', second.company.id],
      ['account.created', second.company.id],
    ]);
    for (const event of all) expect(event.actor).toBe(`key:${partner.keyId}`);
    const end = await call('GET', `/v1/events?after=${since.at(-1).id}`, {
      token: partner.apiKey,
    });
    expect(end.body).toEqual({ items: [], nextCursor: null });
  }, 60_000);
});
