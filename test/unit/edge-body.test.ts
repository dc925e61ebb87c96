import { describe, expect, it } from 'vitest';
import { createCompany } from '#lib/api/operations.ts';
import { type HttpEvent, MAX_BODY_DEPTH, route } from '#lib/http/handler.ts';
import { anonymousRequest } from '../support/builders.ts';
import { lambdaContext } from '../support/lambda-context.ts';

/** A recursive walk of the body, as any later step may make (it overflows on a deep body). */
const walk = (value: unknown): void => {
  if (value !== null && typeof value === 'object')
    for (const field of Object.values(value)) walk(field);
};

const validBody = {
  name: 'HighTech',
  contact: { fullName: 'Hanna Tech', email: 'hanna@hightech.example' },
  admin: { username: 'hightech.admin', plan: 'select' },
};

/**
 * create-company's edge with the use case and the idempotency layer replaced by recorders: the
 * recorder walks the body the way the real layer's secret redaction does, recursively.
 */
function createCompanyEdge() {
  const calls = { idempotency: 0, handle: 0, bodies: [] as unknown[] };
  const handler = route(createCompany, {
    idempotency: {
      before: (request) => {
        calls.idempotency += 1;
        walk(request.event.body);
      },
    },
    handle: async ({ body }) => {
      calls.handle += 1;
      calls.bodies.push(body);
      return { company: { id: 'c' }, account: {}, contact: {} } as never;
    },
    location: () => '/v1/companies/c',
  });
  return { handler, calls };
}

function post(body: string | undefined, headers: Record<string, string> = {}): HttpEvent {
  const event = anonymousRequest('/v1/companies', {
    'content-type': 'application/json',
    ...headers,
  });
  (event.requestContext as { http: { method: string } }).http.method = 'POST';
  (event.requestContext as { authorizer: unknown }).authorizer = {
    lambda: {
      kind: 'partner',
      partnerId: '01JEXAMPLEPARTNER000000000',
      partnerName: 'Acme IT',
      fineIncrements: false,
      keyId: '01JEXAMPLEKEY0000000000000',
      keyScope: 'full',
    },
  };
  if (body !== undefined) event.body = body;
  return event;
}

async function send(event: HttpEvent) {
  const { handler, calls } = createCompanyEdge();
  const reply = await handler(event, lambdaContext());
  return {
    status: reply.statusCode,
    headers: reply.headers ?? {},
    body: JSON.parse(String(reply.body)),
    calls,
  };
}

const nested = (levels: number, open: string, close: string, inner = '1') =>
  open.repeat(levels) + inner + close.repeat(levels);

describe('the HTTP edge reads a body', () => {
  it('accepts a valid JSON body, also base64-encoded as API Gateway may pass it', async () => {
    const plain = await send(post(JSON.stringify(validBody)));
    const encoded = post(Buffer.from(JSON.stringify(validBody)).toString('base64'));
    encoded.isBase64Encoded = true;
    const base64 = await send(encoded);

    expect(plain.status).toBe(201);
    expect(base64.status).toBe(201);
    expect(base64.calls.bodies).toEqual(plain.calls.bodies);
  });

  it('accepts a JSON media type with parameters or a suffix, and refuses any other', async () => {
    const charset = await send(
      post(JSON.stringify(validBody), { 'content-type': 'application/json; charset=utf-8' }),
    );
    expect(charset.status).toBe(201);

    for (const contentType of [undefined, 'text/plain', 'application/x-www-form-urlencoded']) {
      const event = post(JSON.stringify(validBody));
      if (contentType) event.headers['content-type'] = contentType;
      else delete event.headers['content-type'];
      const reply = await send(event);
      expect(reply.status, String(contentType)).toBe(400);
      expect(reply.body.code).toBe('VALIDATION_FAILED');
      expect(reply.body.errors).toEqual([
        { path: 'body', message: 'Content-Type must be application/json.' },
      ]);
      expect(reply.calls).toMatchObject({ idempotency: 0, handle: 0 });
    }
  });

  it('refuses malformed or missing JSON naming the body, before the idempotency layer', async () => {
    for (const body of ['{"name": "HighTech",', '', undefined, '\u00ff\u00fe']) {
      const reply = await send(post(body));
      expect(reply.status, String(body)).toBe(400);
      expect(reply.body.errors).toEqual([
        { path: 'body', message: 'The body must be a valid JSON document.' },
      ]);
      expect(reply.calls).toMatchObject({ idempotency: 0, handle: 0 });
    }
  });

  it.each([
    ['objects', nested(9000, '{"a":', '}'), 'a'],
    ['arrays', nested(9000, '[', ']'), 'body'],
    ['arrays up to the size limit', nested(32_000, '[', ']'), 'body'],
    ['a field', `{"name":"x","contact":${nested(9000, '{"a":', '}')}}`, 'contact'],
  ])(
    'refuses %s nested 9 000 levels deep with 400 naming the top-level field, and nothing runs',
    async (_, body, field) => {
      const reply = await send(post(body));

      expect(reply.status).toBe(400);
      expect(reply.body.code).toBe('VALIDATION_FAILED');
      expect(reply.body.errors).toEqual([
        { path: field, message: `Nested deeper than ${MAX_BODY_DEPTH} levels.` },
      ]);
      expect(reply.headers['x-request-id']).toBeTruthy();
      expect(reply.calls).toMatchObject({ idempotency: 0, handle: 0 });
    },
  );

  it(`lets a body nested ${MAX_BODY_DEPTH} levels deep through to validation, and not one more`, async () => {
    // The body itself is one level and `contact` holds the rest: `at(n)` nests n + 1 deep.
    const at = (levels: number) =>
      `{"name":"x","admin":{"username":"abc.def","plan":"select"},"contact":${nested(levels - 1, '{"a":', '}', '{}')}}`;

    const deepest = await send(post(at(MAX_BODY_DEPTH - 1)));
    const deeper = await send(post(at(MAX_BODY_DEPTH)));

    expect(deepest.status).toBe(400);
    expect(deepest.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['contact.a', 'contact.fullName']),
    );
    expect(deeper.body.errors).toEqual([
      { path: 'contact', message: `Nested deeper than ${MAX_BODY_DEPTH} levels.` },
    ]);
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'names a `%s` field as unknown, at the top and nested, and pollutes no prototype',
    async (name) => {
      const body = `{"${name}":{"polluted":true},"name":"x","contact":{"${name}":{"polluted":true},"fullName":"Hanna Tech","email":"hanna@hightech.example"},"admin":{"username":"abc.def","plan":"select"}}`;

      const reply = await send(post(body));

      expect(reply.status).toBe(400);
      expect(reply.body.code).toBe('VALIDATION_FAILED');
      expect(reply.body.errors).toEqual(
        expect.arrayContaining([
          { path: name, message: 'Unknown field.' },
          { path: `contact.${name}`, message: 'Unknown field.' },
        ]),
      );
      expect(reply.body.errors).toHaveLength(2);
      expect(reply.calls).toMatchObject({ idempotency: 0, handle: 0 });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it('refuses a wrong body before the idempotency layer: a refused body takes no record', async () => {
    const reply = await send(post(JSON.stringify({ ...validBody, quotaMb: '10 GB' })));

    expect(reply.status).toBe(400);
    expect(reply.body.errors[0].path).toBe('quotaMb');
    expect(reply.calls).toMatchObject({ idempotency: 0, handle: 0 });
  });
});
