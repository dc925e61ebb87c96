import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAccount,
  createCompany,
  drainOutbox,
  expectProblem,
  GB,
  getAccount,
  getCompany,
  newPartners,
  newStorageKey,
  type Partner,
  postAccount,
  readAllPages,
} from './fixtures.ts';
import { call, uniqueName } from './helpers.ts';

let partnerA: Partner;
let partnerB: Partner;
let storageKey: string;

beforeAll(async () => {
  const [partners, storage] = await Promise.all([
    newPartners('Tenant A IT', 'Tenant B IT'),
    newStorageKey(),
  ]);
  [partnerA, partnerB] = partners as [Partner, Partner];
  storageKey = storage;
});

afterAll(() => drainOutbox(), 120_000);

/** A's company with a pool, its admin account, a sub-account and an extra contact. */
async function companyOfA() {
  const created = await createCompany(partnerA.apiKey, {
    quotaMb: 25 * GB,
    admin: { hardQuotaMb: 10 * GB },
  });
  const companyId = created.company.id;
  const sub = await createAccount(partnerA.apiKey, companyId, {
    parentId: created.account.id,
  });
  return { ...created, companyId, subId: sub.account.id as string };
}

describe('another partner sees 404, never 403', () => {
  it('cannot read, change or cancel the company, and does not list it', async () => {
    // Prepare
    const a = await companyOfA();
    await createCompany(partnerB.apiKey);
    const path = `/v1/companies/${a.companyId}`;

    // Act
    const get = await call('GET', path, { token: partnerB.apiKey });
    const patch = await call('PATCH', path, { token: partnerB.apiKey, body: { name: 'Taken' } });
    const del = await call('DELETE', path, { token: partnerB.apiKey });
    const listOfB = await readAllPages(partnerB.apiKey, '/v1/companies', 100);

    // Assess
    expectProblem(get, 404, 'NOT_FOUND');
    expectProblem(patch, 404, 'NOT_FOUND');
    expectProblem(del, 404, 'NOT_FOUND');
    expect(listOfB.items.length).toBeGreaterThan(0);
    expect(listOfB.items.map((company) => company.id)).not.toContain(a.companyId);
    const stillA = await getCompany(partnerA.apiKey, a.companyId);
    expect(stillA).toMatchObject({ name: a.company.name, status: 'active', accountCount: 2 });
  });

  it("cannot read, list, change or cancel the company's accounts", async () => {
    // Prepare
    const a = await companyOfA();
    const accountPath = `/v1/companies/${a.companyId}/accounts/${a.subId}`;

    // Act
    const get = await call('GET', accountPath, { token: partnerB.apiKey });
    const patch = await call('PATCH', accountPath, {
      token: partnerB.apiKey,
      body: { hardQuotaMb: 10 * GB },
    });
    const del = await call('DELETE', accountPath, { token: partnerB.apiKey });
    const list = await call('GET', `/v1/companies/${a.companyId}/accounts`, {
      token: partnerB.apiKey,
    });
    const create = await postAccount(partnerB.apiKey, a.companyId, {
      username: uniqueName('intruder.'),
      parentId: a.account.id,
    });

    // Assess
    expectProblem(get, 404, 'NOT_FOUND');
    expectProblem(patch, 404, 'NOT_FOUND');
    expectProblem(del, 404, 'NOT_FOUND');
    expectProblem(list, 404, 'NOT_FOUND');
    expectProblem(create, 404, 'NOT_FOUND');
    const sub = await getAccount(partnerA.apiKey, a.companyId, a.subId);
    expect(sub).toMatchObject({ status: 'active', hardQuotaMb: 5 * GB });
    const company = await getCompany(partnerA.apiKey, a.companyId);
    expect(company).toMatchObject({ allocatedMb: 15 * GB, accountCount: 2 });
  });

  it("cannot reach A's account through B's own company either", async () => {
    // Prepare
    const a = await companyOfA();
    const b = await createCompany(partnerB.apiKey);

    // Act
    const get = await call('GET', `/v1/companies/${b.company.id}/accounts/${a.subId}`, {
      token: partnerB.apiKey,
    });
    const asParent = await postAccount(partnerB.apiKey, b.company.id, {
      username: uniqueName('probe.'),
      parentId: a.account.id,
    });
    const withContact = await postAccount(partnerB.apiKey, b.company.id, {
      username: uniqueName('probe.'),
      plan: 'basic',
      contactId: a.contact.id,
    });

    // Assess
    expectProblem(get, 404, 'NOT_FOUND');
    // Ids in the body that are not the caller's are "unknown", never "forbidden".
    expect(asParent.status).toBe(422);
    expect(asParent.body.code).toBe('UNKNOWN_PARENT');
    expect(withContact.status).toBe(422);
    expect(withContact.body.code).toBe('UNKNOWN_CONTACT');
  });

  it("cannot read or add the company's contacts, nor read its usage", async () => {
    // Prepare
    const a = await companyOfA();
    const contactsPath = `/v1/companies/${a.companyId}/contacts`;

    // Act
    const list = await call('GET', contactsPath, { token: partnerB.apiKey });
    const add = await call('POST', contactsPath, {
      token: partnerB.apiKey,
      body: { fullName: 'Mallory', email: 'mallory@elsewhere.example' },
    });
    const usage = await call('GET', `/v1/companies/${a.companyId}/usage`, {
      token: partnerB.apiKey,
    });

    // Assess
    expectProblem(list, 404, 'NOT_FOUND');
    expectProblem(add, 404, 'NOT_FOUND');
    expectProblem(usage, 404, 'NOT_FOUND');
    const contactsOfA = await readAllPages(partnerA.apiKey, contactsPath, 100);
    expect(contactsOfA.items.map((contact) => contact.email)).toEqual([a.email]);
  });

  it("does not reach one company's account through another company's path", async () => {
    // Prepare
    const a = await companyOfA();
    const other = await createCompany(partnerA.apiKey);

    // Act
    const reply = await call('GET', `/v1/companies/${other.company.id}/accounts/${a.subId}`, {
      token: partnerA.apiKey,
    });
    const cancel = await call('DELETE', `/v1/companies/${other.company.id}/accounts/${a.subId}`, {
      token: partnerA.apiKey,
    });

    // Assess
    expectProblem(reply, 404, 'NOT_FOUND');
    expectProblem(cancel, 404, 'NOT_FOUND');
    expect((await getAccount(partnerA.apiKey, a.companyId, a.subId)).status).toBe('active');
  });

  it('answers an unknown company id exactly like a foreign one', async () => {
    // Prepare
    const a = await companyOfA();
    const unknownId = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

    // Act
    const foreign = await call('GET', `/v1/companies/${a.companyId}`, { token: partnerB.apiKey });
    const unknown = await call('GET', `/v1/companies/${unknownId}`, { token: partnerB.apiKey });

    // Assess
    expectProblem(foreign, 404, 'NOT_FOUND');
    expectProblem(unknown, 404, 'NOT_FOUND');
    expect(foreign.body.detail).toBe(unknown.body.detail);
    expect(foreign.body.title).toBe(unknown.body.title);
  });
});

describe('callers and keys', () => {
  it('answers an invalid bearer key with a 401 problem document', async () => {
    // Act
    const garbage = await call('GET', '/v1/companies', { token: 'not-a-key' });
    const wellFormedUnknown = await call('GET', '/v1/companies', {
      token: `pk_${'A'.repeat(43)}`,
    });
    const notBearer = await call('GET', '/v1/companies', {
      headers: { authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` },
    });

    // Assess
    expectProblem(garbage, 401, 'UNAUTHORIZED');
    expectProblem(wellFormedUnknown, 401, 'UNAUTHORIZED');
    expectProblem(notBearer, 401, 'UNAUTHORIZED');
  });

  it('refuses a request without any Authorization header with a 401 problem document', async () => {
    // Act
    const list = await call('GET', '/v1/companies');
    const create = await call('POST', '/v1/companies', { rawBody: '{"name":' });
    const me = await call('PATCH', '/v1/me', { body: { userQuotaMb: 1024 } });

    // Assess
    for (const reply of [list, create, me]) {
      expectProblem(reply, 401, 'UNAUTHORIZED');
    }
  });

  it('accepts the bearer scheme in any case', async () => {
    // Act
    const reply = await call('GET', '/v1/companies', {
      headers: { authorization: `bearer ${partnerA.apiKey}` },
    });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body.items).toBeInstanceOf(Array);
  });

  it('reads the Authorization header however its name is written, as curl sends it', async () => {
    // Act: node:http keeps the name's case (fetch lower-cases it).
    const capitalised = await call('GET', '/v1/companies', {
      headers: { Authorization: `Bearer ${partnerA.apiKey}` },
      from: '127.0.0.1',
    });
    const shouted = await call('GET', '/v1/companies', {
      headers: { AUTHORIZATION: `Bearer ${partnerA.apiKey}` },
      from: '127.0.0.1',
    });

    // Assess
    expect(capitalised.status, JSON.stringify(capitalised.body)).toBe(200);
    expect(shouted.status, JSON.stringify(shouted.body)).toBe(200);
  });

  it('refuses a storage-service key on partner routes with 403, writing nothing', async () => {
    // Prepare
    const a = await companyOfA();
    const username = uniqueName('storage.made.');

    // Act
    const list = await call('GET', '/v1/companies', { token: storageKey });
    const get = await call('GET', `/v1/companies/${a.companyId}`, { token: storageKey });
    const audit = await call('GET', '/v1/audit', { token: storageKey });
    const cancel = await call('DELETE', `/v1/companies/${a.companyId}/accounts/${a.subId}`, {
      token: storageKey,
    });
    const create = await postAccount(storageKey, a.companyId, {
      username,
      parentId: a.account.id,
    });

    // Assess
    for (const reply of [list, get, audit, cancel, create]) expectProblem(reply, 403, 'FORBIDDEN');
    const sub = await getAccount(partnerA.apiKey, a.companyId, a.subId);
    expect(sub.status).toBe('active');
    const usernameStillFree = await postAccount(partnerA.apiKey, a.companyId, {
      username,
      parentId: a.account.id,
    });
    expect(usernameStillFree.status).toBe(201);
  });

  it('refuses a partner key on POST /v1/usage-reports with 403, recording nothing', async () => {
    // Prepare
    const a = await companyOfA();

    // Act
    const reply = await call('POST', '/v1/usage-reports', {
      token: partnerA.apiKey,
      body: { reports: [{ accountId: a.subId, usedMb: 1024 }] },
    });

    // Assess
    expectProblem(reply, 403, 'FORBIDDEN');
    const sub = await getAccount(partnerA.apiKey, a.companyId, a.subId);
    expect(sub.usedMb).toBe(0);
    expect((await getCompany(partnerA.apiKey, a.companyId)).usedMb).toBe(0);
  });

  it('scopes Idempotency-Key to the caller: two partners may use the same key', async () => {
    // Prepare
    const key = uniqueName('shared-key-');
    const body = (username: string) => ({
      name: 'Same Key Ltd',
      contact: { fullName: 'Sam Key', email: `${username}@samekey.example` },
      admin: { username, plan: 'basic' },
    });
    const usernameA = uniqueName('samekey.a.');
    const usernameB = uniqueName('samekey.b.');

    // Act
    const first = await call('POST', '/v1/companies', {
      token: partnerA.apiKey,
      body: body(usernameA),
      headers: { 'idempotency-key': key },
    });
    const second = await call('POST', '/v1/companies', {
      token: partnerB.apiKey,
      body: body(usernameB),
      headers: { 'idempotency-key': key },
    });

    // Assess
    expect(first.status).toBe(201);
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body.account.username).toBe(usernameB);
    expect(second.body.company.id).not.toBe(first.body.company.id);
    const fromB = await call('GET', `/v1/companies/${first.body.company.id}`, {
      token: partnerB.apiKey,
    });
    expectProblem(fromB, 404, 'NOT_FOUND');
  });
});
