/**
 * Request validation and problem documents through the gateway: what a refused body looks like
 * on the wire, route by route, and that it wrote nothing. The body rules themselves (depth, size,
 * media types, prototype names) are the unit tests' (test/unit/edge-body.test.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createCompany,
  getAccount,
  getCompany,
  postAccount,
  readAllPages,
} from '../../support/gateway.ts';
import { errorPaths, expectProblem, GB, uniqueName } from '../../support/http-fixtures.ts';
import { newPartnerWithKey, newStorageKey, type Partner, scanTable } from './support.ts';

let partner: Partner;
let storageKey: string;
let company: Awaited<ReturnType<typeof createCompany>>;

beforeAll(async () => {
  [partner, storageKey] = await Promise.all([newPartnerWithKey('Validation IT'), newStorageKey()]);
  company = await createCompany(partner.apiKey, {
    quotaMb: 25 * GB,
    admin: { hardQuotaMb: 10 * GB },
  });
});

/** Every username a refused body names: none may be taken afterwards. */
const refusedUsernames: string[] = [];

/** A valid POST /v1/companies body with fresh names. */
function companyBody(): Record<string, any> {
  const username = uniqueName('valid.');
  refusedUsernames.push(username);
  return {
    name: 'Valid Ltd',
    quotaMb: 10 * GB,
    contact: { fullName: 'Val Idation', email: `${username}@validation.example` },
    admin: { username, plan: 'select' },
  };
}

const withCompany = (change: (body: Record<string, any>) => void) => {
  const body = companyBody();
  change(body);
  return body;
};

const refused = (username: string) => {
  refusedUsernames.push(username);
  return username;
};

const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

interface Refusal {
  what: string;
  method?: string;
  path?: () => string;
  /** Made when the case runs: the company exists by then. */
  body?: () => unknown;
  rawBody?: string;
  /** The `errors[].path` the reply names, when the case is about them. */
  paths?: string[];
}

const accountPath = () => `/v1/companies/${company.company.id}/accounts/${company.account.id}`;

const REFUSALS: Refusal[] = [
  { what: 'malformed JSON', rawBody: '{"name":"Broken","contact":{' },
  ...['null', '[]', '"company"', '42'].map((rawBody) => ({ what: `the JSON ${rawBody}`, rawBody })),
  {
    what: 'wrongly typed fields, nested ones too',
    body: () =>
      withCompany((b) => {
        b.quotaMb = '10240';
        b.endGuard = 'yes';
        b.licenses = { egr: -1, spV5: 1.5 };
        b.admin.ultraSafe = 'no';
        b.contact.email = 42;
      }),
    paths: [
      'admin.ultraSafe',
      'contact.email',
      'endGuard',
      'licenses.egr',
      'licenses.spV5',
      'quotaMb',
    ],
  },
  {
    what: 'unknown fields, top-level and nested',
    body: () =>
      withCompany((b) => {
        b.colour = 'blue';
        b.contact.nickname = 'Val';
        b.admin.role = 'superuser';
        b.licenses = { egr: 1, teams: 3 };
      }),
    paths: ['admin.role', 'colour', 'contact.nickname', 'licenses.teams'],
  },
  {
    what: 'a body of 66 000 bytes in 33 000 characters',
    rawBody: JSON.stringify({ ...companyBody(), name: 'é'.repeat(33_000) }),
    paths: ['body'],
  },
  { what: 'arrays nested 9 000 levels deep', rawBody: deep(9000), paths: ['body'] },
  {
    what: 'unknown and wrongly typed fields on an account',
    path: () => `/v1/companies/${company.company.id}/accounts`,
    body: () => ({
      username: refused(uniqueName('sub.')),
      parentId: company.account.id,
      hardQuotaMb: '5120',
      contact: { fullName: 'Sub User', email: 'sub@validation.example', fax: '123' },
      isAdmin: true,
    }),
    paths: ['contact.fax', 'hardQuotaMb', 'isAdmin'],
  },
  {
    what: 'a malformed username',
    path: () => `/v1/companies/${company.company.id}/accounts`,
    body: () => ({ username: '-starts-with-dash', plan: 'basic' }),
    paths: ['username'],
  },
  {
    what: 'an account change of a fraction and an unknown field',
    method: 'PATCH',
    path: accountPath,
    body: () => ({ hardQuotaMb: 5.5, nickname: 'x' }),
    paths: ['hardQuotaMb', 'nickname'],
  },
  {
    what: 'an empty company change',
    method: 'PATCH',
    path: () => `/v1/companies/${company.company.id}`,
    body: () => ({}),
  },
  {
    what: 'a company change of its status',
    method: 'PATCH',
    path: () => `/v1/companies/${company.company.id}`,
    body: () => ({ name: 'Renamed', status: 'cancelled' }),
    paths: ['status'],
  },
  {
    what: 'a field in the body of a password reset, which takes none',
    path: () => `${accountPath()}/password-reset`,
    body: () => ({ a: 2 }),
    paths: ['a'],
  },
  {
    what: 'an array as the body of an impersonation, which takes none',
    path: () => `/v1/companies/${company.company.id}/impersonate`,
    body: () => [],
  },
  {
    what: 'a negative usage figure',
    path: () => '/v1/usage-reports',
    body: () => ({ reports: [{ accountId: company.account.id, usedMb: -1 }] }),
    paths: ['reports.0.usedMb'],
  },
];

describe('a refused body: 400 VALIDATION_FAILED on the wire, and nothing written', () => {
  it.each(REFUSALS)('$what', async ({ method = 'POST', path, body, rawBody, paths }) => {
    // Prepare
    const target = path?.() ?? '/v1/companies';
    const token = target === '/v1/usage-reports' ? storageKey : partner.apiKey;

    // Act
    const reply = await call(method, target, {
      token,
      ...(rawBody !== undefined ? { rawBody } : { body: body?.() }),
    });

    // Assess
    expectProblem(reply, 400, 'VALIDATION_FAILED');
    if (paths) expect(errorPaths(reply).sort()).toEqual(paths);
  });

  it('left the company, its account and the table as they were', async () => {
    // Act
    const after = await getCompany(partner.apiKey, company.company.id);
    const admin = await getAccount(partner.apiKey, company.company.id, company.account.id);
    const accounts = await readAllPages(
      partner.apiKey,
      `/v1/companies/${company.company.id}/accounts`,
      100,
    );
    const companies = await readAllPages(partner.apiKey, '/v1/companies', 100);

    // Assess
    expect(after).toMatchObject({ name: company.company.name, status: 'active', usedMb: 0 });
    expect(after.updatedAt).toBe(company.company.updatedAt);
    expect(admin.updatedAt).toBe(company.account.updatedAt);
    expect(accounts.items.map((account) => account.id)).toEqual([company.account.id]);
    expect(companies.items.map((c) => c.id)).toEqual([company.company.id]);
    const table = JSON.stringify(await scanTable());
    expect(refusedUsernames.length).toBeGreaterThan(3);
    expect(refusedUsernames.filter((username) => table.includes(username))).toEqual([]);
  });

  it('accepts a body of exactly 64 KB as far as size goes, and a JSON type with a charset', async () => {
    // Prepare: padded to exactly 65,536 bytes by a name that is too long on its own.
    const body = companyBody();
    const base = JSON.stringify({ ...body, name: '' });
    const exact = JSON.stringify({ ...body, name: 'x'.repeat(65_536 - base.length) });

    // Act
    const padded = await call('POST', '/v1/companies', { token: partner.apiKey, rawBody: exact });
    const withCharset = await call('POST', '/v1/companies', {
      token: partner.apiKey,
      body: companyBody(),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    const emptyObject = await call('POST', `/v1/companies/${company.company.id}/impersonate`, {
      token: partner.apiKey,
      body: {},
    });

    // Assess: refused for the name, not for the size.
    expect(Buffer.byteLength(exact)).toBe(65_536);
    expectProblem(padded, 400, 'VALIDATION_FAILED');
    expect(errorPaths(padded)).toEqual(['name']);
    expect(withCharset.status, JSON.stringify(withCharset.body)).toBe(201);
    expect(emptyObject.status).toBe(200);
  });
});

describe('problem documents and request ids', () => {
  it('carries a distinct x-request-id on every reply, and echoes the one the caller sent', async () => {
    // Prepare
    const requestId = uniqueName('trace-');

    // Act
    const replies = await Promise.all([
      call('GET', '/v1/companies', { token: partner.apiKey }),
      call('GET', `/v1/companies/${company.company.id}`, { token: partner.apiKey }),
      call('GET', '/v1/openapi.json'),
      call('GET', '/v1/companies/01ARZ3NDEKTSV4RRFFQ69G5FAV', { token: partner.apiKey }),
    ]);
    const echoed = await call('GET', '/v1/companies', {
      token: partner.apiKey,
      headers: { 'X-Request-Id': requestId },
    });
    const echoedOnError = await call('GET', '/v1/nothing', {
      headers: { 'x-request-id': `${requestId}-2` },
    });

    // Assess
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200, 404]);
    expect(replies[2]?.body.openapi).toMatch(/^3\.1/);
    const ids = replies.map((reply) => reply.headers.get('x-request-id'));
    expect(new Set(ids).size).toBe(ids.length);
    expect(echoed.headers.get('x-request-id')).toBe(requestId);
    expect(echoedOnError.headers.get('x-request-id')).toBe(`${requestId}-2`);
  });

  it('answers an unserved path 404 and a served path with another method 405 with Allow', async () => {
    // Act
    const unknownPath = await call('GET', '/v1/nothing', { token: partner.apiKey });
    const unknownMethod = await call('PUT', '/v1/companies', { token: partner.apiKey, body: {} });
    const anonymous = await call('GET', '/elsewhere');
    const mistyped = await call('POST', '/v1/companie', {
      token: partner.apiKey,
      body: companyBody(),
    });

    // Assess
    expect(expectProblem(unknownPath, 404, 'NOT_FOUND').detail).toContain('GET /v1/nothing');
    expectProblem(unknownMethod, 405, 'METHOD_NOT_ALLOWED');
    expect(unknownMethod.headers.get('allow')).toBe('GET, POST');
    expectProblem(anonymous, 404, 'NOT_FOUND');
    expectProblem(mistyped, 404, 'NOT_FOUND');
  });

  it('has the RFC 9457 shape with a stable code for each kind of error', async () => {
    // Act
    const replies = await Promise.all([
      call('GET', '/v1/companies', { token: 'wrong' }),
      call('GET', '/v1/companies/01ARZ3NDEKTSV4RRFFQ69G5FAV', { token: partner.apiKey }),
      postAccount(partner.apiKey, company.company.id, {
        username: company.username,
        plan: 'basic',
      }),
      postAccount(partner.apiKey, company.company.id, {
        username: uniqueName('ladder.'),
        plan: 'basic',
        hardQuotaMb: 6 * GB,
      }),
    ]);

    // Assess
    const [unauthorized, notFound, conflict, unprocessable] = replies as [
      (typeof replies)[0],
      (typeof replies)[0],
      (typeof replies)[0],
      (typeof replies)[0],
    ];
    expectProblem(unauthorized, 401, 'UNAUTHORIZED');
    expectProblem(notFound, 404, 'NOT_FOUND');
    expectProblem(conflict, 409, 'USERNAME_TAKEN');
    // One ladder refusal on the wire; the ladder's own cases are test/unit/quota.test.ts's.
    const ladder = expectProblem(unprocessable, 422, 'QUOTA_NOT_ON_LADDER');
    expect(ladder.nearestMb).toEqual([5 * GB, 10 * GB]);
    expect(errorPaths(unprocessable)).toEqual(['hardQuotaMb']);
  });
});
