import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ulid } from 'ulid';
import { describe, expect, it, vi } from 'vitest';
import { handler as authorize } from '#functions/authorizer.ts';
import { handler as createCompanyHandler } from '#functions/create-company.ts';
import { handler as getCompanyHandler } from '#functions/get-company.ts';
import { handler as listCompaniesHandler } from '#functions/list-companies.ts';
import { handler as loginHandler } from '#functions/login.ts';
import { login } from '#lib/api/operations.ts';
import { documentClient, dynamoDb } from '#lib/clients/dynamodb.ts';
import { type HttpEvent, route } from '#lib/http/handler.ts';
import { createPartner } from '#lib/provisioning/partners.ts';
import { keys } from '#lib/store/keys.ts';
import { getItem } from '#lib/store/table.ts';
import {
  companyBody,
  createCompanyRequest,
  sampleEvent,
  uniqueUsername,
} from '../support/builders.ts';
import { lambdaContext } from '../support/lambda-context.ts';

type Reply = APIGatewayProxyStructuredResultV2 & { headers: Record<string, string> };

const validBody = (username: string) => companyBody({ admin: { username } });

async function invoke(
  event: HttpEvent,
): Promise<{ status: number; body: any; headers: Record<string, string> }> {
  const reply = (await createCompanyHandler(event, lambdaContext())) as Reply;
  return {
    status: reply.statusCode as number,
    body: JSON.parse(reply.body as string),
    headers: reply.headers,
  };
}

async function nothingWritten(partnerId: string, username: string) {
  expect(await getItem(keys.username(username))).toBeUndefined();
  const { listCompanies } = await import('#lib/store/companies.ts');
  expect((await listCompanies(partnerId, 10, undefined)).items).toHaveLength(0);
}

describe('the HTTP edge of create-company (sample event from events/)', () => {
  it('creates the company and answers 201 with the request id', async () => {
    const partnerId = ulid();
    const username = uniqueUsername();

    const reply = await invoke(createCompanyRequest(partnerId, validBody(username)));

    expect(reply.status).toBe(201);
    expect(reply.headers['x-request-id']).toBe('example-request-1');
    expect(reply.body.account.username).toBe(username);
    expect(await getItem(keys.username(username))).toBeDefined();
  });

  it('rejects unknown fields at any depth, naming each, and writes nothing', async () => {
    const partnerId = ulid();
    const username = uniqueUsername();
    const body = {
      ...validBody(username),
      colour: 'red',
      admin: { username, plan: 'select', role: 'root' },
    };

    const reply = await invoke(createCompanyRequest(partnerId, body));

    expect(reply.status).toBe(400);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(reply.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(reply.body.errors).toEqual(
      expect.arrayContaining([
        { path: 'colour', message: 'Unknown field.' },
        { path: 'admin.role', message: 'Unknown field.' },
      ]),
    );
    await nothingWritten(partnerId, username);
  });

  it('rejects wrong types with a message per field', async () => {
    const partnerId = ulid();
    const username = uniqueUsername();
    const body = { ...validBody(username), quotaMb: '10 GB', endGuard: 'yes' };

    const reply = await invoke(createCompanyRequest(partnerId, body));

    expect(reply.status).toBe(400);
    expect(reply.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'endGuard',
      'quotaMb',
    ]);
    await nothingWritten(partnerId, username);
  });

  it('rejects malformed JSON', async () => {
    const partnerId = ulid();

    const reply = await invoke(createCompanyRequest(partnerId, '{"name": "HighTech",'));

    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('VALIDATION_FAILED');
    expect(reply.body.errors[0].path).toBe('body');
  });

  it('rejects bodies over 64 KB', async () => {
    const partnerId = ulid();
    const username = uniqueUsername();
    const body = { ...validBody(username), name: 'x'.repeat(70 * 1024) };

    const reply = await invoke(createCompanyRequest(partnerId, body));

    expect(reply.status).toBe(400);
    expect(reply.body.detail).toMatch(/too large/);
    await nothingWritten(partnerId, username);
  });

  it('answers a password off the policy with 422 and never echoes it', async () => {
    const partnerId = ulid();
    const username = uniqueUsername();
    const body = {
      ...validBody(username),
      admin: { username, plan: 'select', password: 'password123' },
    };

    const reply = await invoke(createCompanyRequest(partnerId, body));

    expect(reply.status).toBe(422);
    expect(reply.body.code).toBe('WEAK_PASSWORD');
    expect(reply.body.errors[0].path).toBe('admin.password');
    expect(JSON.stringify(reply.body)).not.toContain('password123');
    await nothingWritten(partnerId, username);
  });

  it('answers a caller the authorizer did not recognise with 401, and a storage key with 403', async () => {
    const event = createCompanyRequest(ulid(), companyBody());
    (event.requestContext.authorizer as { lambda: unknown }).lambda = { kind: 'anonymous' };
    expect((await invoke(event)).status).toBe(401);

    const storage = createCompanyRequest(ulid(), companyBody());
    (storage.requestContext.authorizer as { lambda: unknown }).lambda = { kind: 'storage' };
    const reply = await invoke(storage);
    expect(reply.status).toBe(403);
    expect(reply.body.code).toBe('FORBIDDEN');
  });

  it('answers an unknown caller 401 before reading its body, and sends DynamoDB nothing', async () => {
    // Prepare: what an unknown key sends should not matter, nor cost a write.
    const anonymous = (body: string | undefined, headers: Record<string, string> = {}) => {
      const event = createCompanyRequest(ulid(), companyBody());
      event.body = body;
      event.headers = { ...event.headers, ...headers };
      (event.requestContext.authorizer as { lambda: unknown }).lambda = { kind: 'anonymous' };
      return event;
    };
    const calls = [vi.spyOn(dynamoDb, 'send'), vi.spyOn(documentClient, 'send')];

    // Act
    try {
      const replies = [
        await invoke(anonymous(undefined)),
        await invoke(anonymous('{"name":')),
        await invoke(anonymous('x'.repeat(70_000))),
        await invoke(anonymous(JSON.stringify(validBody('x')), { 'content-type': 'text/plain' })),
        await invoke(anonymous(JSON.stringify(companyBody()), { 'idempotency-key': ulid() })),
      ];

      // Assess
      expect(replies.map((reply) => reply.body.code)).toEqual(Array(5).fill('UNAUTHORIZED'));
      expect(replies.map((reply) => reply.status)).toEqual(Array(5).fill(401));
      expect(calls.map((spy) => spy.mock.calls.length)).toEqual([0, 0]);
    } finally {
      for (const spy of calls) spy.mockRestore();
    }
  });

  it('refuses a session past its expiry, one holding a temporary password, and a backup user', async () => {
    // Prepare: contexts as the authorizer passes them (API Gateway may serve a cached one).
    const session = {
      kind: 'companyAdmin',
      partnerId: ulid(),
      partnerName: 'Acme IT',
      fineIncrements: false,
      companyId: ulid(),
      accountId: ulid(),
      mustChangePassword: false,
      actingPartnerId: '',
      expiresAtSeconds: Math.floor(Date.now() / 1000) + 600,
    };
    const withContext = (lambda: Record<string, unknown>) => {
      const event = createCompanyRequest(ulid(), '');
      event.pathParameters = { companyId: session.companyId };
      event.body = undefined;
      (event.requestContext.authorizer as { lambda: unknown }).lambda = lambda;
      return getCompanyHandler(event, lambdaContext()) as Promise<Reply>;
    };

    // Act
    const expired = await withContext({
      ...session,
      expiresAtSeconds: Math.floor(Date.now() / 1000) - 1,
    });
    const temporary = await withContext({ ...session, mustChangePassword: true });
    const user = await withContext({ ...session, kind: 'backupUser' });
    const current = await withContext(session);

    // Assess
    expect(expired.statusCode).toBe(401);
    expect(JSON.parse(temporary.body as string).code).toBe('PASSWORD_CHANGE_REQUIRED');
    expect(temporary.statusCode).toBe(403);
    expect(JSON.parse(user.body as string).code).toBe('FORBIDDEN');
    // Valid, but the company does not exist: the handler ran and looked.
    expect(current.statusCode).toBe(404);
  });

  it('gates a staff session: expiry, a pending password change, a missing second factor, its role', async () => {
    // Prepare: a staff member's context as the authorizer passes it, of a partner that exists.
    const { partnerId } = await createPartner('Staff Gate IT', false);
    const staff = {
      kind: 'partner',
      partnerId,
      partnerName: 'Staff Gate IT',
      fineIncrements: false,
      via: 'staff',
      staffId: ulid(),
      staffRole: 'operator',
      mustChangePassword: false,
      mfaEnrolled: true,
      expiresAtSeconds: Math.floor(Date.now() / 1000) + 600,
    };
    const list = (lambda: Record<string, unknown>) => {
      const event = createCompanyRequest(ulid(), '');
      event.body = undefined;
      (event.requestContext.authorizer as { lambda: unknown }).lambda = lambda;
      return listCompaniesHandler(event, lambdaContext()) as Promise<Reply>;
    };
    const create = async (lambda: Record<string, unknown>) => {
      const username = uniqueUsername();
      const event = createCompanyRequest(ulid(), JSON.stringify(validBody(username)));
      (event.requestContext.authorizer as { lambda: unknown }).lambda = lambda;
      return { reply: await invoke(event), username };
    };

    // Act
    const expired = await list({ ...staff, expiresAtSeconds: Math.floor(Date.now() / 1000) - 1 });
    const temporary = await list({ ...staff, mustChangePassword: true, mfaEnrolled: false });
    const unenrolled = await list({ ...staff, mfaEnrolled: false });
    const billingRead = await list({ ...staff, staffRole: 'billing' });
    const billingWrite = await create({ ...staff, staffRole: 'billing' });
    const garbledWrite = await create({ ...staff, staffRole: 'superuser' });
    const operatorWrite = await create(staff);

    // Assess
    expect(expired.statusCode).toBe(401);
    // The password change comes first; enrolment after it.
    expect(temporary.statusCode).toBe(403);
    expect(JSON.parse(temporary.body as string).code).toBe('PASSWORD_CHANGE_REQUIRED');
    expect(unenrolled.statusCode).toBe(403);
    expect(JSON.parse(unenrolled.body as string).code).toBe('MFA_ENROLMENT_REQUIRED');
    expect(billingRead.statusCode).toBe(200);
    expect(billingWrite.reply.status).toBe(403);
    expect(billingWrite.reply.body.code).toBe('FORBIDDEN');
    expect(await getItem(keys.username(billingWrite.username))).toBeUndefined();
    // An unknown role reads as billing: it may not write either.
    expect(garbledWrite.reply.status).toBe(403);
    expect(await getItem(keys.username(garbledWrite.username))).toBeUndefined();
    expect(operatorWrite.reply.status).toBe(201);
  });

  it('answers a reply that cannot be finished with a 500 problem document and its request id', async () => {
    // Prepare: a session reply whose signing fails (an SSM outage on a cold container).
    const handler = route(login, {
      idempotency: { before: () => undefined },
      session: {
        middleware: { after: () => undefined },
        finish: async () => {
          throw new Error('SSM is down');
        },
      },
      handle: async () => ({
        token: 'x.y',
        expiresAt: new Date().toISOString(),
        role: 'backupUser',
        mustChangePassword: false,
      }),
    });
    const event = createCompanyRequest(ulid(), '');
    event.body = JSON.stringify({ username: 'someone', password: 'a password' });

    // Act
    const reply = (await handler(event, lambdaContext())) as Reply;

    // Assess
    expect(reply.statusCode).toBe(500);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(reply.headers['x-request-id']).toBe('example-request-1');
    expect(JSON.parse(reply.body as string).code).toBe('INTERNAL_ERROR');
    expect(reply.body).not.toContain('SSM is down');
  });

  it('answers a malformed id with 404', async () => {
    const event = createCompanyRequest(ulid(), '');
    event.pathParameters = { companyId: 'not-an-id' };
    event.body = undefined;

    const reply = (await getCompanyHandler(event, lambdaContext())) as Reply;

    expect(reply.statusCode).toBe(404);
  });
});

describe('the HTTP conventions beyond bodies', () => {
  it('refuses an unknown query parameter like an unknown field, on routes with and without a query', async () => {
    // Prepare
    const partnerId = ulid();
    const withQuery = createCompanyRequest(partnerId, '');
    withQuery.body = undefined;
    withQuery.queryStringParameters = { limt: '5' };
    const withoutQuery = createCompanyRequest(partnerId, '');
    withoutQuery.body = undefined;
    withoutQuery.pathParameters = { companyId: ulid() };
    withoutQuery.queryStringParameters = { expand: 'accounts' };

    // Act
    const list = (await listCompaniesHandler(withQuery, lambdaContext())) as Reply;
    const one = (await getCompanyHandler(withoutQuery, lambdaContext())) as Reply;

    // Assess
    for (const [reply, name] of [
      [list, 'query.limt'],
      [one, 'query.expand'],
    ] as const) {
      expect(reply.statusCode).toBe(400);
      expect(JSON.parse(reply.body as string)).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [{ path: name, message: 'Unknown query parameter.' }],
      });
    }
  });

  it('answers a served path with another method 405 with Allow, and an unknown path 404', async () => {
    // Prepare: the methods the deployment gives the $default function.
    vi.stubEnv(
      'ROUTE_METHODS',
      JSON.stringify({ '/v1/companies/{companyId}': ['DELETE', 'GET', 'PATCH'] }),
    );
    const { handler: notFound } = await import('#functions/not-found.ts');
    const request = (method: string, path: string) => {
      const event = createCompanyRequest(ulid(), '');
      event.requestContext.http.method = method;
      event.rawPath = path;
      return notFound(event, lambdaContext()) as Promise<Reply>;
    };

    // Act
    const put = await request('PUT', `/v1/companies/${ulid()}`);
    const unknown = await request('GET', '/v1/companys');

    // Assess
    vi.unstubAllEnvs();
    expect(put.statusCode).toBe(405);
    expect(put.headers.allow).toBe('DELETE, GET, PATCH');
    expect(JSON.parse(put.body as string).code).toBe('METHOD_NOT_ALLOWED');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers.allow).toBeUndefined();
    expect(JSON.parse(unknown.body as string).detail).toBe('There is no GET /v1/companys.');
  });
});

describe('the authorizer (sample event from events/)', () => {
  it('resolves a partner key to its partner and anything else to an anonymous caller', async () => {
    const { partnerId, apiKey } = await createPartner('Acme IT', true);
    const event = sampleEvent<Parameters<typeof authorize>[0]>('http/authorizer-request');
    event.headers = { authorization: `Bearer ${apiKey}` };

    const known = await authorize(event, lambdaContext());
    event.headers = { authorization: `Bearer ${apiKey.slice(0, -1)}x` };
    const unknown = await authorize(event, lambdaContext());
    event.headers = {};
    const missing = await authorize({ ...event, identitySource: [] }, lambdaContext());

    expect(known).toEqual({
      isAuthorized: true,
      context: {
        kind: 'partner',
        partnerId,
        partnerName: 'Acme IT',
        fineIncrements: true,
        via: 'key',
        keyId: expect.any(String),
        keyScope: 'full',
      },
    });
    expect(unknown.context).toEqual({ kind: 'anonymous' });
    expect(missing.context).toEqual({ kind: 'anonymous' });
  });

  it('resolves a session token from login to its company admin', async () => {
    // Prepare
    const { partnerId, apiKey } = await createPartner('Session IT', false);
    const username = uniqueUsername();
    const password = `Pw-${ulid()}`;
    const created = createCompanyRequest(partnerId, {
      ...validBody(username),
      admin: { username, plan: 'select', password },
    });
    const company = await invoke(created);
    const loginEvent = sampleEvent<HttpEvent>('http/login');
    loginEvent.body = JSON.stringify({ username: username.toUpperCase(), password });
    const event = sampleEvent<Parameters<typeof authorize>[0]>('http/authorizer-request');

    // Act
    const loggedIn = (await loginHandler(loginEvent, lambdaContext())) as Reply;
    const { token } = JSON.parse(loggedIn.body as string);
    event.headers = { authorization: `Bearer ${token}` };
    const resolved = await authorize(event, lambdaContext());
    event.headers = { authorization: `Bearer ${token.slice(0, -2)}xx` };
    const tampered = await authorize(event, lambdaContext());

    // Assess
    expect(apiKey).toMatch(/^pk_/);
    expect(loggedIn.statusCode).toBe(200);
    expect(loggedIn.headers['x-request-id']).toBe('example-request-2');
    expect(resolved.context).toMatchObject({
      kind: 'companyAdmin',
      partnerId,
      partnerName: 'Session IT',
      companyId: company.body.company.id,
      accountId: company.body.account.id,
      mustChangePassword: true,
      actingPartnerId: '',
    });
    expect(tampered.context).toEqual({ kind: 'anonymous' });
  });

  it('stores the key only as a hash', async () => {
    const { apiKey } = await createPartner('Hash Check', false);
    const { scanForValue } = await import('./scan.ts');

    expect(await scanForValue(apiKey)).toEqual([]);
  });
});
