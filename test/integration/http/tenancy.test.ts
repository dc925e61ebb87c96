/**
 * Tenancy and callers through the gateway and the real authorizer: another partner's ids are
 * 404 on every route that names them, unknown keys 401, keys of the wrong kind 403, and none of
 * those refusals changes anything.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createAccount,
  createCompany,
  getAccount,
  getCompany,
  postAccount,
  readAllPages,
} from '../../support/gateway.ts';
import { expectProblem, GB, uniqueName } from '../../support/http-fixtures.ts';
import { newPartnersWithKeys, newStorageKey, type Partner } from './support.ts';

let partnerA: Partner;
let partnerB: Partner;
let storageKey: string;
let a: { companyId: string; adminId: string; subId: string; contactId: string; email: string };

beforeAll(async () => {
  const [partners, storage] = await Promise.all([
    newPartnersWithKeys('Tenant A IT', 'Tenant B IT'),
    newStorageKey(),
  ]);
  [partnerA, partnerB] = partners as [Partner, Partner];
  storageKey = storage;
  const created = await createCompany(partnerA.apiKey, {
    quotaMb: 25 * GB,
    admin: { hardQuotaMb: 10 * GB },
  });
  const sub = await createAccount(partnerA.apiKey, created.company.id, {
    parentId: created.account.id,
  });
  a = {
    companyId: created.company.id,
    adminId: created.account.id,
    subId: sub.account.id,
    contactId: created.contact.id,
    email: created.email,
  };
});

/** A's state as its partner reads it: what a refusal must leave alone. */
async function stateOfA() {
  const [company, sub, contacts] = await Promise.all([
    getCompany(partnerA.apiKey, a.companyId),
    getAccount(partnerA.apiKey, a.companyId, a.subId),
    readAllPages(partnerA.apiKey, `/v1/companies/${a.companyId}/contacts`, 100),
  ]);
  return { company, sub, contacts: contacts.items };
}

/** Every route naming A's company or account, with a body that would change it. */
const ROUTES_OF_A = (): Array<[string, string, unknown?]> => {
  const company = `/v1/companies/${a.companyId}`;
  const account = `${company}/accounts/${a.subId}`;
  return [
    ['GET', company],
    ['PATCH', company, { name: 'Taken' }],
    ['DELETE', company],
    ['GET', `${company}/accounts`],
    ['POST', `${company}/accounts`, { username: uniqueName('intruder.'), parentId: a.adminId }],
    ['GET', account],
    ['PATCH', account, { hardQuotaMb: 10 * GB }],
    ['DELETE', account],
    ['POST', `${account}/password-reset`],
    ['GET', `${company}/contacts`],
    ['POST', `${company}/contacts`, { fullName: 'Mallory', email: 'mallory@elsewhere.example' }],
    ['GET', `${company}/contacts/${a.contactId}`],
    ['GET', `${company}/usage`],
    ['POST', `${company}/impersonate`],
  ];
};

describe('another partner sees 404, never 403', () => {
  it("on every route naming the company or its objects, changing nothing, as for ids that don't exist", async () => {
    // Prepare
    const before = await stateOfA();
    const unknownId = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

    // Act
    const replies = await Promise.all(
      ROUTES_OF_A().map(([method, path, body]) =>
        call(method, path, { token: partnerB.apiKey, ...(body ? { body } : {}) }),
      ),
    );
    const unknown = await call('GET', `/v1/companies/${unknownId}`, { token: partnerB.apiKey });
    const listOfB = await readAllPages(partnerB.apiKey, '/v1/companies', 100);

    // Assess
    for (const reply of replies) expectProblem(reply, 404, 'NOT_FOUND');
    expect(replies[0]?.body.detail).toBe(expectProblem(unknown, 404, 'NOT_FOUND').detail);
    expect(listOfB.items.map((company) => company.id)).not.toContain(a.companyId);
    expect(await stateOfA()).toEqual(before);
  });

  it("names A's parent or contact in B's own company as unknown, and A's account path through another company 404", async () => {
    // Prepare
    const b = await createCompany(partnerB.apiKey);
    const otherOfA = await createCompany(partnerA.apiKey);

    // Act
    const get = await call('GET', `/v1/companies/${b.company.id}/accounts/${a.subId}`, {
      token: partnerB.apiKey,
    });
    const asParent = await postAccount(partnerB.apiKey, b.company.id, {
      username: uniqueName('probe.'),
      parentId: a.adminId,
    });
    const withContact = await postAccount(partnerB.apiKey, b.company.id, {
      username: uniqueName('probe.'),
      plan: 'basic',
      contactId: a.contactId,
    });
    const crossed = await call(
      'DELETE',
      `/v1/companies/${otherOfA.company.id}/accounts/${a.subId}`,
      { token: partnerA.apiKey },
    );

    // Assess
    expectProblem(get, 404, 'NOT_FOUND');
    expectProblem(asParent, 422, 'UNKNOWN_PARENT');
    expectProblem(withContact, 422, 'UNKNOWN_CONTACT');
    expectProblem(crossed, 404, 'NOT_FOUND');
    expect((await getAccount(partnerA.apiKey, a.companyId, a.subId)).status).toBe('active');
  });
});

describe('callers and keys', () => {
  it.each([
    ['no Authorization header', {}],
    ['a key that is not one', { authorization: 'Bearer not-a-key' }],
    ['a well-formed unknown key', { authorization: `Bearer pk_${'A'.repeat(43)}` }],
    ['another scheme', { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` }],
  ])('answers %s with a 401 problem document, before reading the body', async (_, headers) => {
    // Act
    const list = await call('GET', '/v1/companies', { headers });
    const create = await call('POST', '/v1/companies', { headers, rawBody: '{"name":' });

    // Assess
    expectProblem(list, 401, 'UNAUTHORIZED');
    expectProblem(create, 401, 'UNAUTHORIZED');
  });

  it('accepts the bearer scheme in any case, and the header name in any case', async () => {
    // Act
    const lower = await call('GET', '/v1/companies', {
      headers: { authorization: `bearer ${partnerA.apiKey}` },
    });
    const shouted = await call('GET', '/v1/companies', {
      headers: { AUTHORIZATION: `BEARER ${partnerA.apiKey}` },
    });

    // Assess
    expect(lower.status, JSON.stringify(lower.body)).toBe(200);
    expect(shouted.status, JSON.stringify(shouted.body)).toBe(200);
  });

  it('refuses a storage key on partner routes and a partner key on usage reports with 403', async () => {
    // Prepare
    const before = await stateOfA();
    const username = uniqueName('storage.made.');

    // Act
    const byStorage = await Promise.all([
      call('GET', '/v1/companies', { token: storageKey }),
      call('GET', `/v1/companies/${a.companyId}`, { token: storageKey }),
      call('GET', `/v1/companies/${a.companyId}/usage`, { token: storageKey }),
      call('GET', '/v1/audit', { token: storageKey }),
      call('DELETE', `/v1/companies/${a.companyId}/accounts/${a.subId}`, { token: storageKey }),
      postAccount(storageKey, a.companyId, { username, parentId: a.adminId }),
    ]);
    const byPartner = await call('POST', '/v1/usage-reports', {
      token: partnerA.apiKey,
      body: { reports: [{ accountId: a.subId, usedMb: 1024 }] },
    });

    // Assess
    for (const reply of [...byStorage, byPartner]) expectProblem(reply, 403, 'FORBIDDEN');
    expect(await stateOfA()).toEqual(before);
    const stillFree = await postAccount(partnerA.apiKey, a.companyId, {
      username,
      parentId: a.adminId,
    });
    expect(stillFree.status, JSON.stringify(stillFree.body)).toBe(201);
  });

  it('scopes Idempotency-Key to the caller: two partners may use the same key', async () => {
    // Prepare
    const key = uniqueName('shared-key-');
    const create = (partner: Partner) => {
      const username = uniqueName('samekey.');
      return call('POST', '/v1/companies', {
        token: partner.apiKey,
        body: {
          name: 'Same Key Ltd',
          contact: { fullName: 'Sam Key', email: `${username}@samekey.example` },
          admin: { username, plan: 'basic' },
        },
        headers: { 'idempotency-key': key },
      });
    };

    // Act
    const first = await create(partnerA);
    const second = await create(partnerB);

    // Assess
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body.company.id).not.toBe(first.body.company.id);
    const fromB = await call('GET', `/v1/companies/${first.body.company.id}`, {
      token: partnerB.apiKey,
    });
    expectProblem(fromB, 404, 'NOT_FOUND');
  });
});
