import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAccount,
  createCompany,
  drainOutbox,
  errorPaths,
  expectProblem,
  GB,
  getAccount,
  getCompany,
  inSequence,
  newPartners,
  type Partner,
  postAccount,
  readAllPages,
} from './fixtures.ts';
import { call, uniqueName } from './helpers.ts';

let partner: Partner;

beforeAll(async () => {
  [partner] = (await newPartners('Validation IT')) as [Partner];
});

afterAll(() => drainOutbox(), 120_000);

/** A valid POST /v1/companies body with fresh names. */
function companyBody() {
  const username = uniqueName('valid.');
  const email = `${username}@validation.example`;
  return {
    username,
    email,
    body: {
      name: 'Valid Ltd',
      quotaMb: 10 * GB,
      contact: { fullName: 'Val Idation', email },
      admin: { username, plan: 'select' },
    } as Record<string, any>,
  };
}

const companyIds = async () =>
  (await readAllPages(partner.apiKey, '/v1/companies', 100)).items.map((c) => c.id).sort();

describe('request validation over HTTP: 400 VALIDATION_FAILED and nothing written', () => {
  it('refuses malformed JSON', async () => {
    // Prepare
    const { username, email } = companyBody();
    const before = await companyIds();
    const rawBody = `{"name":"Broken","contact":{"fullName":"B","email":"${email}"},"admin":{"username":"${username}","plan":"select"}`;

    // Act
    const reply = await call('POST', '/v1/companies', { token: partner.apiKey, rawBody });

    // Assess
    const problem = expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect(problem.errors.length).toBeGreaterThan(0);
    expect(await companyIds()).toEqual(before);
  });

  it('names every wrongly typed field, also nested ones, and writes nothing', async () => {
    // Prepare
    const { username, email, body } = companyBody();
    body.quotaMb = '10240';
    body.endGuard = 'yes';
    body.licenses = { egr: -1, spV5: 1.5 };
    body.admin.ultraSafe = 'no';
    body.contact.email = 42;
    const before = await companyIds();

    // Act
    const reply = await call('POST', '/v1/companies', { token: partner.apiKey, body });

    // Assess
    expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect(errorPaths(reply).sort()).toEqual(
      [
        'quotaMb',
        'endGuard',
        'licenses.egr',
        'licenses.spV5',
        'admin.ultraSafe',
        'contact.email',
      ].sort(),
    );
    expect(await companyIds()).toEqual(before);
    const retry = await call('POST', '/v1/companies', {
      token: partner.apiKey,
      body: {
        name: 'Valid Ltd',
        contact: { fullName: 'Val Idation', email },
        admin: { username, plan: 'select' },
      },
    });
    expect(retry.status, 'the username is still free').toBe(201);
  });

  it('names each unknown field, top-level and nested, and writes nothing', async () => {
    // Prepare
    const { username, email, body } = companyBody();
    body.colour = 'blue';
    body.contact.nickname = 'Val';
    body.admin.role = 'superuser';
    body.licenses = { egr: 1, teams: 3 };
    const before = await companyIds();

    // Act
    const reply = await call('POST', '/v1/companies', { token: partner.apiKey, body });

    // Assess
    const problem = expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect(errorPaths(reply).sort()).toEqual(
      ['colour', 'contact.nickname', 'admin.role', 'licenses.teams'].sort(),
    );
    for (const error of problem.errors) expect(error.message).toBeTruthy();
    expect(await companyIds()).toEqual(before);

    // Nothing was written: the username is still free.
    const { colour: _c, ...cleanBody } = body;
    const retry = await call('POST', '/v1/companies', {
      token: partner.apiKey,
      body: {
        ...cleanBody,
        contact: { fullName: 'Val Idation', email },
        admin: { username, plan: 'select' },
        licenses: { egr: 1 },
      },
    });
    expect(retry.status, JSON.stringify(retry.body)).toBe(201);
    expect(await companyIds()).toEqual([...before, retry.body.company.id].sort());
  });

  it('refuses unknown and wrongly typed fields on account creation and update', async () => {
    // Prepare
    const created = await createCompany(partner.apiKey, {
      quotaMb: 25 * GB,
      admin: { hardQuotaMb: 10 * GB },
    });
    const companyId = created.company.id;
    const username = uniqueName('sub.');

    // Act
    const createReply = await postAccount(partner.apiKey, companyId, {
      username,
      parentId: created.account.id,
      hardQuotaMb: '5120',
      contact: { fullName: 'Sub User', email: 'sub@validation.example', fax: '123' },
      isAdmin: true,
    });
    const patchReply = await call(
      'PATCH',
      `/v1/companies/${companyId}/accounts/${created.account.id}`,
      { token: partner.apiKey, body: { hardQuotaMb: 5.5, nickname: 'x' } },
    );

    // Assess
    expectProblem(createReply, 400, 'VALIDATION_FAILED');
    expect(errorPaths(createReply).sort()).toEqual(['contact.fax', 'hardQuotaMb', 'isAdmin']);
    expectProblem(patchReply, 400, 'VALIDATION_FAILED');
    expect(errorPaths(patchReply).sort()).toEqual(['hardQuotaMb', 'nickname']);
    const company = await getCompany(partner.apiKey, companyId);
    expect(company).toMatchObject({ accountCount: 1, allocatedMb: 10 * GB });
    const admin = await getAccount(partner.apiKey, companyId, created.account.id);
    expect(admin).toMatchObject({ hardQuotaMb: 10 * GB, status: 'active', plan: 'select' });
    const accounts = await readAllPages(partner.apiKey, `/v1/companies/${companyId}/accounts`, 100);
    expect(accounts.items.map((account) => account.id)).toEqual([created.account.id]);
    const retry = await postAccount(partner.apiKey, companyId, {
      username,
      parentId: created.account.id,
    });
    expect(retry.status, 'the username is still free').toBe(201);
  });

  it('refuses a body on the POSTs that take none, and carries out nothing', async () => {
    // Prepare
    const created = await createCompany(partner.apiKey, { quotaMb: 10 * GB });
    const companyId = created.company.id;
    const accountPath = `/v1/companies/${companyId}/accounts/${created.account.id}`;
    const before = await getAccount(partner.apiKey, companyId, created.account.id);
    const post = (path: string, options: { body?: unknown; rawBody?: string }) =>
      call('POST', path, { token: partner.apiKey, ...options });

    // Act
    const resetWithField = await post(`${accountPath}/password-reset`, { body: { a: 2 } });
    const resetMalformed = await post(`${accountPath}/password-reset`, { rawBody: '{bad' });
    const impersonateWithField = await post(`/v1/companies/${companyId}/impersonate`, {
      body: { companyId: 'other' },
    });
    const impersonateArray = await post(`/v1/companies/${companyId}/impersonate`, { body: [] });
    const resetHuge = await post(`${accountPath}/password-reset`, {
      body: { pad: 'x'.repeat(70_000) },
    });
    const after = await getAccount(partner.apiKey, companyId, created.account.id);
    const emptyObject = await post(`/v1/companies/${companyId}/impersonate`, { body: {} });
    const none = await post(`/v1/companies/${companyId}/impersonate`, {});

    // Assess
    expectProblem(resetWithField, 400, 'VALIDATION_FAILED');
    expect(errorPaths(resetWithField)).toEqual(['a']);
    expectProblem(resetMalformed, 400, 'VALIDATION_FAILED');
    expectProblem(impersonateWithField, 400, 'VALIDATION_FAILED');
    expect(errorPaths(impersonateWithField)).toEqual(['companyId']);
    expectProblem(impersonateArray, 400, 'VALIDATION_FAILED');
    expect(expectProblem(resetHuge, 400, 'VALIDATION_FAILED').detail).toMatch(/too large/);
    expect(after.updatedAt).toBe(before.updatedAt);
    expect(emptyObject.status).toBe(200);
    expect(none.status).toBe(200);
  });

  it('refuses a body over 64 KB, counting bytes rather than characters', async () => {
    // Prepare
    const { username, body } = companyBody();
    const before = await companyIds();
    const ascii = JSON.stringify({ ...body, name: 'x'.repeat(70_000) });
    // 33,000 characters, but 66,000 bytes in UTF-8.
    const multiByte = JSON.stringify({ ...body, name: 'é'.repeat(33_000) });

    // Act
    const asciiReply = await call('POST', '/v1/companies', {
      token: partner.apiKey,
      rawBody: ascii,
    });
    const multiByteReply = await call('POST', '/v1/companies', {
      token: partner.apiKey,
      rawBody: multiByte,
    });

    // Assess
    expectProblem(asciiReply, 400, 'VALIDATION_FAILED');
    expectProblem(multiByteReply, 400, 'VALIDATION_FAILED');
    expect(errorPaths(multiByteReply)).toEqual(['body']);
    expect(await companyIds()).toEqual(before);
    const retry = await call('POST', '/v1/companies', { token: partner.apiKey, body });
    expect(retry.status, `${username} is still free`).toBe(201);
  });

  it('accepts a body of exactly 64 KB as far as size goes', async () => {
    // Prepare: padded to exactly 65,536 bytes by a name that is too long on its own.
    const { body } = companyBody();
    const base = JSON.stringify({ ...body, name: '' });
    const exact = JSON.stringify({ ...body, name: 'x'.repeat(65_536 - base.length) });
    expect(Buffer.byteLength(exact)).toBe(65_536);

    // Act
    const reply = await call('POST', '/v1/companies', { token: partner.apiKey, rawBody: exact });

    // Assess: refused for the name, not for the size.
    expectProblem(reply, 400, 'VALIDATION_FAILED');
    expect(errorPaths(reply)).toEqual(['name']);
  });

  it('refuses a body that is not a JSON object', async () => {
    // Act
    const replies = await inSequence(['null', '[]', '"company"', '42'], (rawBody) =>
      call('POST', '/v1/companies', { token: partner.apiKey, rawBody }),
    );

    // Assess
    for (const reply of replies) expectProblem(reply, 400, 'VALIDATION_FAILED');
  });

  it('accepts application/json with a charset parameter', async () => {
    // Prepare
    const { body } = companyBody();

    // Act
    const reply = await call('POST', '/v1/companies', {
      token: partner.apiKey,
      body,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });

    // Assess
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  });

  it('refuses an empty PATCH and a PATCH of unknown fields on a company', async () => {
    // Prepare
    const created = await createCompany(partner.apiKey);
    const path = `/v1/companies/${created.company.id}`;

    // Act
    const empty = await call('PATCH', path, { token: partner.apiKey, body: {} });
    const unknown = await call('PATCH', path, {
      token: partner.apiKey,
      body: { name: 'Renamed', status: 'cancelled' },
    });

    // Assess
    expectProblem(empty, 400, 'VALIDATION_FAILED');
    expectProblem(unknown, 400, 'VALIDATION_FAILED');
    expect(errorPaths(unknown)).toEqual(['status']);
    const company = await getCompany(partner.apiKey, created.company.id);
    expect(company).toMatchObject({ name: created.company.name, status: 'active' });
  });

  it('refuses a malformed username and a password the policy forbids', async () => {
    // Prepare
    const created = await createCompany(partner.apiKey);
    const companyId = created.company.id;
    const username = uniqueName('weak.');

    // Act
    const badName = await postAccount(partner.apiKey, companyId, {
      username: '-starts-with-dash',
      plan: 'basic',
    });
    const weak = await postAccount(partner.apiKey, companyId, {
      username,
      plan: 'basic',
      password: 'short',
    });

    // Assess
    expectProblem(badName, 400, 'VALIDATION_FAILED');
    expect(errorPaths(badName)).toEqual(['username']);
    expectProblem(weak, 422, 'WEAK_PASSWORD');
    expect(errorPaths(weak)).toContain('password');
    const retry = await createAccount(partner.apiKey, companyId, { username, plan: 'basic' });
    expect(retry.account.username).toBe(username);
  });
});

describe('problem documents and request ids', () => {
  it('carries x-request-id on every success', async () => {
    // Prepare
    const created = await createCompany(partner.apiKey, {
      quotaMb: 25 * GB,
      admin: { hardQuotaMb: 10 * GB },
    });
    const companyId = created.company.id;

    // Act
    const post = await postAccount(partner.apiKey, companyId, {
      username: uniqueName('rid.'),
      parentId: created.account.id,
    });
    const get = await call('GET', `/v1/companies/${companyId}`, { token: partner.apiKey });
    const list = await call('GET', '/v1/companies', { token: partner.apiKey });
    const patch = await call('PATCH', `/v1/companies/${companyId}`, {
      token: partner.apiKey,
      body: { name: 'Renamed Ltd' },
    });
    const del = await call(
      'DELETE',
      `/v1/companies/${companyId}/accounts/${post.body.account?.id}`,
      { token: partner.apiKey },
    );
    const openApi = await call('GET', '/v1/openapi.json');

    // Assess
    const replies = [post, get, list, patch, del, openApi];
    expect(replies.map((reply) => reply.status)).toEqual([201, 200, 200, 200, 200, 200]);
    expect(openApi.body.openapi).toMatch(/^3\.1/);
    const ids = replies.map((reply) => reply.headers.get('x-request-id'));
    for (const id of ids) expect(id).toBeTruthy();
    expect(new Set(ids).size).toBe(ids.length);
    for (const reply of replies) {
      expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    }
  });

  it("answers a path no route serves with 404, and a served path's other method with 405 and Allow", async () => {
    // Act
    const unknownPath = await call('GET', '/v1/nothing', { token: partner.apiKey });
    const unknownMethod = await call('PUT', '/v1/companies', { token: partner.apiKey, body: {} });
    const anonymous = await call('GET', '/elsewhere');
    const mistypedWithBody = await call('POST', '/v1/companie', {
      token: partner.apiKey,
      body: companyBody().body,
    });

    // Assess
    expectProblem(unknownPath, 404, 'NOT_FOUND');
    expect(unknownPath.body.detail).toContain('GET /v1/nothing');
    expectProblem(unknownMethod, 405, 'METHOD_NOT_ALLOWED');
    expect(unknownMethod.headers.get('allow')).toBe('GET, POST');
    expectProblem(anonymous, 404, 'NOT_FOUND');
    expectProblem(mistypedWithBody, 404, 'NOT_FOUND');
  });

  it('has the RFC 9457 shape with a stable code for every kind of error', async () => {
    // Prepare
    const created = await createCompany(partner.apiKey, {
      quotaMb: 10 * GB,
      admin: { hardQuotaMb: 5 * GB },
    });
    const companyId = created.company.id;

    // Act
    const badRequest = await call('POST', '/v1/companies', {
      token: partner.apiKey,
      rawBody: '{',
    });
    const unauthorized = await call('GET', '/v1/companies', { token: 'wrong' });
    const notFound = await call('GET', '/v1/companies/01ARZ3NDEKTSV4RRFFQ69G5FAV', {
      token: partner.apiKey,
    });
    const conflict = await postAccount(partner.apiKey, companyId, {
      username: created.username,
      plan: 'basic',
    });
    const unprocessable = await postAccount(partner.apiKey, companyId, {
      username: uniqueName('ladder.'),
      plan: 'basic',
      hardQuotaMb: 6 * GB,
    });

    // Assess
    expectProblem(badRequest, 400, 'VALIDATION_FAILED');
    expectProblem(unauthorized, 401, 'UNAUTHORIZED');
    expectProblem(notFound, 404, 'NOT_FOUND');
    expectProblem(conflict, 409, 'USERNAME_TAKEN');
    expectProblem(unprocessable, 422, 'QUOTA_NOT_ON_LADDER');
    const ids = [badRequest, unauthorized, notFound, conflict, unprocessable].map((reply) =>
      reply.headers.get('x-request-id'),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("echoes the caller's X-Request-Id", async () => {
    // Prepare
    const requestId = uniqueName('trace-');

    // Act
    const ok = await call('GET', '/v1/companies', {
      token: partner.apiKey,
      headers: { 'x-request-id': requestId },
    });
    const failed = await call('GET', '/v1/companies/01ARZ3NDEKTSV4RRFFQ69G5FAV', {
      token: partner.apiKey,
      headers: { 'x-request-id': `${requestId}-2` },
    });

    // Assess
    expect(ok.headers.get('x-request-id')).toBe(requestId);
    expect(failed.headers.get('x-request-id')).toBe(`${requestId}-2`);
  });
});
