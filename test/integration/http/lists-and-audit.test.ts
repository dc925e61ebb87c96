/** Lists and the audit log through the gateway: pages, limits, cursors and whose entries. */
import { beforeAll, describe, expect, it } from 'vitest';
import { call, createAccount, createCompany, readAllPages } from '../../support/gateway.ts';
import { expectProblem, GB, uniqueName } from '../../support/http-fixtures.ts';
import { newPartners, type Partner } from './support.ts';

let listPartner: Partner;
let auditPartner: Partner;

beforeAll(async () => {
  [listPartner, auditPartner] = (await newPartners('Lists IT', 'Audit IT')) as [Partner, Partner];
});

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
  it("pages through companies, a company's accounts and its contacts, each item exactly once", async () => {
    // Prepare
    const token = listPartner.apiKey;
    const [created, ...others] = await Promise.all([
      createCompany(token, { quotaMb: 50 * GB, admin: { hardQuotaMb: 10 * GB } }),
      createCompany(token),
      createCompany(token),
    ]);
    const companyId = created.company.id;
    const subs = [
      await createAccount(token, companyId, { parentId: created.account.id }),
      await createAccount(token, companyId, {
        parentId: created.account.id,
        contact: { fullName: 'Second Contact', email: `${uniqueName('c2.')}@lists.example` },
      }),
      await createAccount(token, companyId, { plan: 'basic' }),
    ];

    // Act
    const companies = await expectPagedExactlyOnce(token, '/v1/companies');
    const accounts = await expectPagedExactlyOnce(token, `/v1/companies/${companyId}/accounts`);
    const contacts = await expectPagedExactlyOnce(token, `/v1/companies/${companyId}/contacts`);

    // Assess
    expect(ids(companies).sort()).toEqual(
      [created, ...others].map(({ company }) => company.id).sort(),
    );
    expect(ids(accounts).sort()).toEqual(
      [created.account.id, ...subs.map((sub) => sub.account.id)].sort(),
    );
    expect(ids(contacts).sort()).toEqual([created.contact.id, subs[1]?.contact.id].sort());
  });

  it('refuses a limit outside 1–100 or not whole, a garbage cursor and a cursor from another list', async () => {
    // Prepare
    const token = listPartner.apiKey;
    const created = await createCompany(token);
    await createAccount(token, created.company.id, { plan: 'basic' });
    const accountsPath = `/v1/companies/${created.company.id}/accounts`;
    const contactsPath = `/v1/companies/${created.company.id}/contacts`;
    const paths = ['/v1/companies', accountsPath, contactsPath, '/v1/audit'];
    const firstAccounts = await call('GET', `${accountsPath}?limit=1`, { token });
    const accountCursor = encodeURIComponent(firstAccounts.body.nextCursor as string);

    // Act
    const queries = paths.flatMap((path) => [
      ...['0', '101', 'ten', '2.5'].map((limit) => `${path}?limit=${limit}`),
      `${path}?cursor=${encodeURIComponent('not-a-cursor!')}`,
    ]);
    const replies = await Promise.all(queries.map((query) => call('GET', query, { token })));
    const crossed = await call('GET', `/v1/companies?limit=1&cursor=${accountCursor}`, { token });
    const hundred = await call('GET', '/v1/companies?limit=100', { token });

    // Assess
    for (const reply of replies) expectProblem(reply, 400, 'VALIDATION_FAILED');
    expectProblem(crossed, 400, 'VALIDATION_FAILED');
    expect(hundred.status).toBe(200);
  });
});

describe('the audit log', () => {
  it("lists the partner's mutations newest first, page by page, and not another partner's", async () => {
    // Prepare: every kind of mutation, in a known order.
    const token = auditPartner.apiKey;
    const first = await createCompany(token, { quotaMb: 25 * GB, admin: { hardQuotaMb: 10 * GB } });
    const companyId = first.company.id;
    const sub = await createAccount(token, companyId, { parentId: first.account.id });
    const accountPath = `/v1/companies/${companyId}/accounts/${sub.account.id}`;
    await call('PATCH', accountPath, { token, body: { hardQuotaMb: 10 * GB } });
    await call('DELETE', accountPath, { token });
    const contact = await call('POST', `/v1/companies/${companyId}/contacts`, {
      token,
      body: { fullName: 'Audit Contact', email: 'audit.contact@audit.example' },
    });
    await call('PATCH', `/v1/companies/${companyId}`, { token, body: { name: 'Renamed Ltd' } });
    const second = await createCompany(token);
    await call('DELETE', `/v1/companies/${second.company.id}`, { token });
    const refused = await call('POST', `/v1/companies/${companyId}/accounts`, {
      token,
      body: { username: uniqueName('refused.'), plan: 'basic', hardQuotaMb: 100 * GB },
    });
    const foreign = await createCompany(listPartner.apiKey);

    // Act
    const items = await expectPagedExactlyOnce(token, '/v1/audit');
    const otherAudit = await call('GET', '/v1/audit', { token: listPartner.apiKey });

    // Assess
    expect(refused.status).toBe(409);
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
    const times = items.map((entry) => Date.parse(entry.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const entry of items) {
      // Audit names the key the partner called with.
      expect(entry.actor).toBe(`key:${auditPartner.keyId}`);
      expect(entry).toHaveProperty('actingAs', null);
    }
    const otherTargets = (otherAudit.body.items as any[]).map((entry) => entry.targetId);
    expect(otherTargets).toContain(foreign.company.id);
    expect(JSON.stringify(otherAudit.body)).not.toContain(companyId);
    expect(JSON.stringify(items)).not.toContain(foreign.company.id);
  });
});
