import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAccount,
  createCompany,
  drainOutbox,
  expectProblem,
  GB,
  inSequence,
  newPartners,
  type Partner,
  readAllPages,
} from './fixtures.ts';
import { call, uniqueName } from './helpers.ts';

let listPartner: Partner;
let auditPartner: Partner;

beforeAll(async () => {
  [listPartner, auditPartner] = (await newPartners('Lists IT', 'Audit IT')) as [Partner, Partner];
});

afterAll(() => drainOutbox(), 120_000);

const ids = (items: Array<{ id: string }>) => items.map((item) => item.id);

/** Reads with limit=1 and with limit=100, and checks both give the same items once each. */
async function expectPagedExactlyOnce(token: string, path: string) {
  const paged = await readAllPages(token, path, 1);
  const whole = await readAllPages(token, path, 100);
  expect(whole.pages).toBe(1);
  expect(new Set(ids(paged.items)).size).toBe(paged.items.length);
  expect(ids(paged.items)).toEqual(ids(whole.items));
  expect(paged.pages).toBeGreaterThanOrEqual(paged.items.length);
  expect(paged.pages).toBeLessThanOrEqual(paged.items.length + 1);
  return paged.items;
}

describe('lists', () => {
  it('pages through companies one at a time, each exactly once, until nextCursor is null', async () => {
    // Prepare
    const created = [
      await createCompany(listPartner.apiKey),
      await createCompany(listPartner.apiKey),
      await createCompany(listPartner.apiKey),
    ];

    // Act
    const items = await expectPagedExactlyOnce(listPartner.apiKey, '/v1/companies');

    // Assess
    for (const { company } of created) expect(ids(items)).toContain(company.id);
    const mine = items.find((company) => company.id === created[0]?.company.id);
    expect(mine).toMatchObject({ accountCount: 1, allocatedMb: 0, usedMb: 0, quotaMb: null });
  });

  it("pages through a company's accounts and contacts", async () => {
    // Prepare
    const created = await createCompany(listPartner.apiKey, {
      quotaMb: 50 * GB,
      admin: { hardQuotaMb: 10 * GB },
    });
    const companyId = created.company.id;
    const subs = [
      await createAccount(listPartner.apiKey, companyId, { parentId: created.account.id }),
      await createAccount(listPartner.apiKey, companyId, {
        parentId: created.account.id,
        contact: { fullName: 'Second Contact', email: `${uniqueName('c2.')}@lists.example` },
      }),
      await createAccount(listPartner.apiKey, companyId, { plan: 'basic' }),
    ];
    const contact = await call('POST', `/v1/companies/${companyId}/contacts`, {
      token: listPartner.apiKey,
      body: { fullName: 'Third Contact', email: `${uniqueName('c3.')}@lists.example` },
    });

    // Act
    const accounts = await expectPagedExactlyOnce(
      listPartner.apiKey,
      `/v1/companies/${companyId}/accounts`,
    );
    const contacts = await expectPagedExactlyOnce(
      listPartner.apiKey,
      `/v1/companies/${companyId}/contacts`,
    );

    // Assess
    expect(contact.status).toBe(201);
    expect(ids(accounts).sort()).toEqual(
      [created.account.id, ...subs.map((sub) => sub.account.id)].sort(),
    );
    expect(ids(contacts).sort()).toEqual(
      [created.contact.id, subs[1]?.contact.id, contact.body.id].sort(),
    );
  });

  it('refuses limit=0, limit=101 and a limit that is not a whole number', async () => {
    // Prepare
    const created = await createCompany(listPartner.apiKey);
    const paths = [
      '/v1/companies',
      `/v1/companies/${created.company.id}/accounts`,
      `/v1/companies/${created.company.id}/contacts`,
      '/v1/audit',
    ];

    // Act
    const queries = paths.flatMap((path) =>
      ['0', '101', 'ten', '2.5'].map((limit) => `${path}?limit=${limit}`),
    );
    const replies = await inSequence(queries, (query) =>
      call('GET', query, { token: listPartner.apiKey }),
    );
    const hundred = await call('GET', '/v1/companies?limit=100', { token: listPartner.apiKey });

    // Assess
    for (const reply of replies) {
      const problem = expectProblem(reply, 400, 'VALIDATION_FAILED');
      expect(problem.errors.map((e: { path: string }) => e.path).join()).toContain('limit');
    }
    expect(hundred.status).toBe(200);
  });

  it('refuses a garbage cursor, and a cursor from another list, with 400', async () => {
    // Prepare
    const created = await createCompany(listPartner.apiKey);
    await createAccount(listPartner.apiKey, created.company.id, { plan: 'basic' });
    const accountsPath = `/v1/companies/${created.company.id}/accounts`;
    const firstAccounts = await call('GET', `${accountsPath}?limit=1`, {
      token: listPartner.apiKey,
    });
    const accountCursor = firstAccounts.body.nextCursor as string;

    // Act
    const garbage = await inSequence(
      ['/v1/companies', accountsPath, `/v1/companies/${created.company.id}/contacts`, '/v1/audit'],
      (path) =>
        call('GET', `${path}?cursor=${encodeURIComponent('not-a-cursor!')}`, {
          token: listPartner.apiKey,
        }),
    );
    const crossed = await call(
      'GET',
      `/v1/companies?limit=1&cursor=${encodeURIComponent(accountCursor)}`,
      { token: listPartner.apiKey },
    );

    // Assess
    expect(accountCursor).toBeTruthy();
    for (const reply of garbage) expectProblem(reply, 400, 'VALIDATION_FAILED');
    expectProblem(crossed, 400, 'VALIDATION_FAILED');
  });
});

describe('the audit log', () => {
  it("lists the partner's mutations newest first, and not another partner's", async () => {
    // Prepare: every kind of mutation, in a known order.
    const token = auditPartner.apiKey;
    const first = await createCompany(token, { quotaMb: 25 * GB, admin: { hardQuotaMb: 10 * GB } });
    const companyId = first.company.id;
    const sub = await createAccount(token, companyId, { parentId: first.account.id });
    const accountPath = `/v1/companies/${companyId}/accounts/${sub.account.id}`;
    const resized = await call('PATCH', accountPath, { token, body: { hardQuotaMb: 10 * GB } });
    const cancelled = await call('DELETE', accountPath, { token });
    const contact = await call('POST', `/v1/companies/${companyId}/contacts`, {
      token,
      body: { fullName: 'Audit Contact', email: 'audit.contact@audit.example' },
    });
    const renamed = await call('PATCH', `/v1/companies/${companyId}`, {
      token,
      body: { name: 'Renamed Audit Ltd' },
    });
    const second = await createCompany(token);
    const companyCancelled = await call('DELETE', `/v1/companies/${second.company.id}`, {
      token,
    });
    const refused = await call('POST', `/v1/companies/${companyId}/accounts`, {
      token,
      body: { username: uniqueName('refused.'), plan: 'basic', hardQuotaMb: 100 * GB },
    });
    const foreign = await createCompany(listPartner.apiKey);

    // Act
    const audit = await call('GET', '/v1/audit', { token });
    const otherAudit = await call('GET', '/v1/audit', { token: listPartner.apiKey });

    // Assess
    for (const reply of [resized, cancelled, renamed, companyCancelled]) {
      expect(reply.status).toBe(200);
    }
    expect(contact.status).toBe(201);
    expect(refused.status).toBe(409);
    expect(audit.status).toBe(200);
    expect(audit.headers.get('x-request-id')).toBeTruthy();
    const items = audit.body.items as any[];
    expect(items.map((entry) => [entry.action, entry.targetId])).toEqual([
      ['company.cancel', second.company.id],
      ['company.create', second.company.id],
      ['company.update', companyId],
      ['contact.create', contact.body.id],
      ['account.cancel', sub.account.id],
      ['account.update', sub.account.id],
      ['account.create', sub.account.id],
      ['company.create', companyId],
    ]);
    expect(audit.body.nextCursor).toBeNull();
    const times = items.map((entry) => Date.parse(entry.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const entry of items) {
      expect(entry.actor).toContain(auditPartner.partnerId);
      expect(entry).toHaveProperty('actingAs', null);
      expect(Number.isNaN(Date.parse(entry.at))).toBe(false);
    }
    const otherTargets = (otherAudit.body.items as any[]).map((entry) => entry.targetId);
    expect(otherTargets).toContain(foreign.company.id);
    for (const [, targetId] of items.map((entry) => [entry.action, entry.targetId])) {
      expect(otherTargets).not.toContain(targetId);
    }
    expect(JSON.stringify(otherAudit.body)).not.toContain(companyId);
    expect(JSON.stringify(audit.body)).not.toContain(foreign.company.id);
  });

  it('pages through the audit log newest first', async () => {
    // Prepare
    const token = listPartner.apiKey;
    await createCompany(token);
    await createCompany(token);

    // Act
    const items = await expectPagedExactlyOnce(token, '/v1/audit');

    // Assess
    expect(items.length).toBeGreaterThanOrEqual(3);
    const times = items.map((entry) => Date.parse(entry.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });
});
