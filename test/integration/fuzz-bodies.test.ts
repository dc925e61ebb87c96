import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import fc from 'fast-check';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodesOf, OPERATIONS } from '#lib/api/document.ts';
import { type JsonSchema, requestJsonSchema } from '#lib/api/json-schema.ts';
import type { Operation } from '#lib/api/operations.ts';
import { dynamoDb } from '#lib/clients/dynamodb.ts';
import type { HttpEvent } from '#lib/http/handler.ts';
import { createPartner } from '#lib/provisioning/partners.ts';
import { keys } from '#lib/store/keys.ts';
import { companyBody, sampleEvent, uniqueUsername } from '../support/builders.ts';
import { lambdaContext } from '../support/lambda-context.ts';

/**
 * Bodies generated from each operation's request JSON Schema, mostly right and mostly wrong, sent
 * to the operation's own handler: none is answered 5xx, every 4xx names fields of the body, and a
 * body refused for its shape costs no DynamoDB request at all.
 */

type Handler = (event: HttpEvent, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);

const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
  'BatchWriteItemCommand',
]);

const figures = {
  bodies: 0,
  accepted: 0,
  refused: 0,
  serverErrors: 0,
  byCode: {} as Record<string, number>,
};

// --- what a body is made of -------------------------------------------------------------------

/**
 * Placeholders JSON.stringify cannot write (nesting 9 000 deep, `-0`, `1e309`) are strings that
 * start with NUL; they are replaced in the serialised text.
 */
const deep = (levels: number, kind: 'a' | 'o') => `\u0000deep:${levels}:${kind}`;
const raw = (token: string) => `\u0000raw:${token}`;
const RAW_NUMBERS = [
  '-0',
  '1e308',
  '1e309',
  '-1e309',
  '1E2',
  '0.1e1',
  '5e-324',
  '9007199254740993',
  '-9007199254740993',
];

function serialise(value: unknown): string {
  return JSON.stringify(value)
    .replace(/"\\u0000deep:(\d+):([ao])"/g, (_, levels: string, kind: string) => {
      const n = Number(levels);
      return kind === 'a'
        ? `${'['.repeat(n)}1${']'.repeat(n)}`
        : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
    })
    .replace(/"\\u0000raw:([^"]+)"/g, (_, token: string) => token);
}

const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '',
  ' ',
  'name ',
  'Name',
  '\u0000',
  '𝓷𝓪𝓶𝓮',
  'a.b',
  '0',
];

const hostileKey = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_KEYS) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
);

const loneSurrogates = fc.string({
  unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
  minLength: 1,
  maxLength: 8,
});

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    0.5,
    2 ** 53,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    '',
    ' ',
    'NaN',
    'Infinity',
    '-0',
    '1e308',
    '10 GB',
    '<script>alert(1)</script>',
    [],
    {},
    [null],
    JSON.parse('{"__proto__":{"polluted":true}}'),
    JSON.parse('{"constructor":{"prototype":{"polluted":true}}}'),
  ),
  fc.constantFrom(...RAW_NUMBERS).map(raw),
  fc
    .tuple(fc.integer({ min: 2, max: 9000 }), fc.constantFrom('a' as const, 'o' as const))
    .map(([levels, kind]) => deep(levels, kind)),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  loneSurrogates,
  fc.integer({ min: 1000, max: 70_000 }).map((length) => 'x'.repeat(length)),
  fc.jsonValue({ maxDepth: 3 }),
);

const ABSENT = Symbol('absent');

/** A value the schema accepts, or nearly: the constraints across fields are not followed. */
function validish(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.anyOf)) return fc.oneof(...(schema.anyOf as JsonSchema[]).map(validish));
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  switch (schema.type) {
    case 'object': {
      const alternatives = (schema.oneOf ?? []) as JsonSchema[];
      if (alternatives.length > 0) {
        // `oneOf` of required fields (a plan or a parentId): one alternative, without the others.
        return fc.constantFrom(...alternatives).chain((chosen) => {
          const others = alternatives.flatMap((a) =>
            a === chosen ? [] : (a.required as string[]),
          );
          const properties = Object.fromEntries(
            Object.entries(schema.properties as Record<string, JsonSchema>).filter(
              ([name]) => !others.includes(name),
            ),
          );
          const required = [
            ...((schema.required ?? []) as string[]),
            ...(chosen.required as string[]),
          ];
          return validish({ ...schema, oneOf: undefined, properties, required });
        });
      }
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((schema.required ?? []) as string[]);
      // An optional field is left out three times in four: the rules across fields (a secret
      // question with its answer, trial days on a trial) refuse most bodies that carry many.
      const record = fc
        .record(
          Object.fromEntries(
            Object.entries(properties).map(([name, s]) => [
              name,
              required.has(name)
                ? validish(s)
                : fc.oneof(
                    { weight: 3, arbitrary: fc.constant(ABSENT) },
                    { weight: 1, arbitrary: validish(s) },
                  ),
            ]),
          ),
        )
        .map((fields) =>
          Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== ABSENT)),
        );
      const least = Number(schema.minProperties ?? 0);
      return least > 0 ? record.filter((value) => Object.keys(value).length >= least) : record;
    }
    case 'array':
      return fc.array(validish(schema.items as JsonSchema), {
        minLength: Number(schema.minItems ?? 0),
        maxLength: Math.min(Number(schema.maxItems ?? 5), 5),
      });
    case 'string': {
      const min = Number(schema.minLength ?? 0);
      const max = Math.min(Number(schema.maxLength ?? 64), 64);
      if (typeof schema.pattern === 'string') {
        return fc
          .stringMatching(new RegExp(schema.pattern as string))
          .filter((s) => s.length >= min && s.length <= Number(schema.maxLength ?? 1e6));
      }
      return fc.string({ minLength: min, maxLength: Math.max(min, max) });
    }
    case 'integer': {
      const min =
        schema.exclusiveMinimum === undefined
          ? Number(schema.minimum ?? Number.MIN_SAFE_INTEGER)
          : Number(schema.exclusiveMinimum) + 1;
      const max = Number(schema.maximum ?? Number.MAX_SAFE_INTEGER);
      // Sizes on the storage ladder (5, 10, 25, 50, 100 GB) more often than not.
      const rungs = [5120, 10240, 25600, 51200, 102400].filter((n) => n >= min && n <= max);
      return fc.oneof(
        ...(rungs.length > 0 ? [{ weight: 4, arbitrary: fc.constantFrom(...rungs) }] : []),
        { weight: 1, arbitrary: fc.integer({ min, max: Math.min(max, min + 100) }) },
        { weight: 1, arbitrary: fc.integer({ min, max }) },
      );
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Mostly the schema's shape, with values of the wrong kind, fields missing and fields added. */
function hostile(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  const items = schema.items as JsonSchema | undefined;
  const inner =
    properties && depth < 3
      ? fc
          .tuple(
            fc.record(
              Object.fromEntries(
                Object.entries(properties).map(([name, s]) => [
                  name,
                  fc.oneof(
                    { weight: 3, arbitrary: hostile(s, depth + 1) },
                    { weight: 1, arbitrary: hostileValue },
                  ),
                ]),
              ),
              { requiredKeys: [] },
            ),
            fc.array(fc.tuple(hostileKey, hostileValue), { maxLength: 3 }),
          )
          // Object.fromEntries makes `__proto__` an own field, as JSON.parse does.
          .map(([known, extra]) => Object.fromEntries([...Object.entries(known), ...extra]))
      : items && depth < 3
        ? fc.array(hostile(items, depth + 1), { maxLength: 4 })
        : validish(schema);
  return fc.oneof({ weight: 4, arbitrary: inner }, { weight: 1, arbitrary: hostileValue });
}

const MALFORMED = [
  '',
  ' ',
  '{',
  '{"name":',
  '{"a":1,}',
  "{'name':'x'}",
  'null',
  '[]',
  '"text"',
  '1',
  'NaN',
  '{"name":"x","name":2}',
  '{"__proto__":',
  '\ufeff{}',
];

interface Sent {
  body: string;
  contentType: string | undefined;
  base64: boolean;
}

function bodies(schema: JsonSchema): fc.Arbitrary<Sent> {
  const text = fc.oneof(
    { weight: 3, arbitrary: validish(schema).map(serialise) },
    { weight: 5, arbitrary: hostile(schema).map(serialise) },
    { weight: 1, arbitrary: fc.constantFrom(...MALFORMED) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }) },
  );
  const contentType = fc.oneof(
    { weight: 12, arbitrary: fc.constant('application/json') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(undefined, 'text/plain', 'application/json; charset=utf-8'),
    },
  );
  return fc.record({
    body: text,
    contentType,
    base64: fc.oneof(
      { weight: 6, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
    ),
  });
}

// --- whether a path names a field of the body -----------------------------------------------

const own = (value: unknown, name: string) =>
  value !== null && typeof value === 'object' && Object.hasOwn(value, name);

/**
 * `body`, or a dotted path each step of which is a field (or an index) of what was sent or of
 * what the schema describes there: a field that was sent and is unknown, or one that is required
 * and missing. A sent name may itself hold dots (`{"a.b": 1}` is named `a.b`).
 */
function namesField(path: string, sent: unknown, schema: JsonSchema | undefined): boolean {
  return path === 'body' || resolves(path.split('.'), sent, schema);
}

function resolves(segments: string[], value: unknown, schema: JsonSchema | undefined): boolean {
  if (segments.length === 0) return true;
  const described = schema?.anyOf
    ? ((schema.anyOf as JsonSchema[]).find((s) => s.type === 'object') ?? schema)
    : schema;
  const properties = described?.properties as Record<string, JsonSchema> | undefined;
  for (let taken = segments.length; taken >= 1; taken -= 1) {
    const name = segments.slice(0, taken).join('.');
    const rest = segments.slice(taken);
    const inSchema = properties !== undefined && Object.hasOwn(properties, name);
    const index = taken === 1 && Array.isArray(value) && /^\d+$/.test(name);
    if (!own(value, name) && !inSchema && !index) continue;
    const next = own(value, name) ? (value as Record<string, unknown>)[name] : undefined;
    const nextSchema = inSchema
      ? properties[name]
      : index
        ? (described?.items as JsonSchema | undefined)
        : undefined;
    if (resolves(rest, next, nextSchema)) return true;
  }
  return false;
}

function parsedOrNull(sent: Sent): unknown {
  try {
    const text = sent.base64 ? Buffer.from(sent.body).toString('utf8') : sent.body;
    return JSON.parse(text);
  } catch {
    return null;
  }
}

// --- calling the handlers ---------------------------------------------------------------------

/** The DynamoDB requests sent while `run` runs: each command's name and the keys it writes. */
async function recording<T>(run: () => Promise<T>) {
  const requests: { command: string; partitions: string[] }[] = [];
  const name = `fuzz-${ulid()}`;
  dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      requests.push({ command: String(context.commandName), partitions: partitionsOf(args.input) });
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    return { result: await run(), requests };
  } finally {
    dynamoDb.middlewareStack.remove(name);
  }
}

const pk = (item: unknown): string => {
  const value = (item as { PK?: unknown } | undefined)?.PK;
  return typeof value === 'string' ? value : String((value as { S?: string } | undefined)?.S);
};

function partitionsOf(input: unknown): string[] {
  const i = input as Record<string, any>;
  if (i.Item) return [pk(i.Item)];
  if (i.Key) return [pk(i.Key)];
  if (Array.isArray(i.TransactItems)) {
    return i.TransactItems.flatMap((t: Record<string, any>) =>
      t.Put ? [pk(t.Put.Item)] : t.Update ? [pk(t.Update.Key)] : t.Delete ? [pk(t.Delete.Key)] : [],
    );
  }
  return [];
}

const functionOf = (operationId: string) =>
  operationId.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

interface Fixture {
  partnerId: string;
  companyId: string;
  adminAccountId: string;
  accountId: string;
}

const partner = (partnerId: string) => ({
  kind: 'partner',
  partnerId,
  partnerName: 'Fuzz IT',
  fineIncrements: false,
  via: 'key',
  keyId: '01JEXAMPLEKEY0000000000000',
  keyScope: 'full',
});

function callerFor(operation: Operation, fixture: Fixture): Record<string, unknown> {
  const [kind] = operation.allow;
  if (kind === 'owner') {
    // A staff owner, as staff sign-in passes one: the only caller of some routes (API keys).
    return {
      ...partner(fixture.partnerId),
      via: 'staff',
      staffId: '01JEXAMPLESTAFF00000000000',
      staffRole: 'owner',
      mustChangePassword: false,
      mfaEnrolled: true,
      expiresAtSeconds: Math.floor(Date.now() / 1000) + 3600,
    };
  }
  if (kind === 'fullKey') return partner(fixture.partnerId);
  if (kind === 'companyAdmin' || kind === 'backupUser') {
    return {
      kind: 'companyAdmin',
      partnerId: fixture.partnerId,
      partnerName: 'Fuzz IT',
      fineIncrements: false,
      companyId: fixture.companyId,
      accountId: fixture.adminAccountId,
      mustChangePassword: false,
      expiresAtSeconds: Math.floor(Date.now() / 1000) + 3600,
    };
  }
  return { kind };
}

function eventFor(operation: Operation, fixture: Fixture, sent: Sent): HttpEvent {
  const event = sampleEvent<HttpEvent>('http/create-company');
  const path = operation.path
    .replace('{companyId}', fixture.companyId)
    .replace('{accountId}', fixture.accountId);
  event.rawPath = path;
  event.routeKey = `${operation.method} ${operation.path}`;
  event.requestContext.http.method = operation.method;
  event.requestContext.http.path = path;
  (event.requestContext.authorizer as { lambda: unknown }).lambda = callerFor(operation, fixture);
  event.pathParameters = { companyId: fixture.companyId, accountId: fixture.accountId };
  event.headers = { 'x-request-id': `fuzz-${ulid()}` };
  if (sent.contentType) event.headers['content-type'] = sent.contentType;
  if (operation.method === 'POST') event.headers['idempotency-key'] = ulid();
  event.body = sent.base64 ? Buffer.from(sent.body).toString('base64') : sent.body;
  event.isBase64Encoded = sent.base64;
  return event;
}

async function handlerOf(operation: Operation): Promise<Handler> {
  const module = (await import(`../../functions/${functionOf(operation.operationId)}.ts`)) as {
    handler: Handler;
  };
  return module.handler;
}

/** A failure as its seed, its path and the body cut short: a body may be 64 KB of `x`. */
function compactReport(details: fc.RunDetails<[Sent]>): void {
  if (!details.failed) return;
  const shown = JSON.stringify(details.counterexample?.[0]) ?? '';
  const cut = shown.length > 600 ? `${shown.slice(0, 600)}… (${shown.length} characters)` : shown;
  const error = details.errorInstance as Error | undefined;
  throw new Error(
    `Failed with FUZZ_SEED=${details.seed} (path ${details.counterexamplePath ?? 'none'}): ${String(error?.message ?? error)}\non ${cut}`,
  );
}

// --- the suite --------------------------------------------------------------------------------

let fixture: Fixture;

beforeAll(async () => {
  // A partner that exists, as every caller the authorizer resolves names one (a key is its own).
  const { partnerId } = await createPartner('Fuzz IT', false);
  const createCompany = await handlerOf(
    OPERATIONS.find((o) => o.operationId === 'createCompany') as Operation,
  );
  const created = await createCompany(
    eventFor(
      OPERATIONS.find((o) => o.operationId === 'createCompany') as Operation,
      { partnerId, companyId: '', adminAccountId: '', accountId: '' },
      {
        body: JSON.stringify(
          companyBody({
            quotaMb: 102400,
            admin: { username: uniqueUsername('fuzz'), plan: 'select', hardQuotaMb: 10240 },
          }),
        ),
        contentType: 'application/json',
        base64: false,
      },
    ),
    lambdaContext(),
  );
  expect(created.statusCode, String(created.body)).toBe(201);
  const { company, account } = JSON.parse(String(created.body));
  fixture = { partnerId, companyId: company.id, adminAccountId: account.id, accountId: '' };
  const createAccount = OPERATIONS.find((o) => o.operationId === 'createAccount') as Operation;
  const second = await (await handlerOf(createAccount))(
    eventFor(createAccount, fixture, {
      body: JSON.stringify({ username: uniqueUsername('fuzz'), plan: 'basic' }),
      contentType: 'application/json',
      base64: false,
    }),
    lambdaContext(),
  );
  expect(second.statusCode, String(second.body)).toBe(201);
  fixture.accountId = JSON.parse(String(second.body)).account.id;
});

afterAll(() => {
  const codes = Object.entries(figures.byCode)
    .sort(([, a], [, b]) => b - a)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  console.log(
    `fuzz: ${figures.bodies} bodies, ${figures.accepted} accepted, ${figures.refused} refused (4xx), ${figures.serverErrors} server errors (seed ${SEED}; refusals by code: ${codes})`,
  );
});

const withBody = OPERATIONS.filter((operation) => operation.body !== undefined);

describe('fuzzed bodies, from each operation’s request schema', () => {
  it('covers every operation that takes a body', () => {
    expect(withBody.map((o) => o.operationId).sort()).toEqual(
      [
        'changePassword',
        'confirmMfa',
        'createAccount',
        'createApiKey',
        'createCompany',
        'createContact',
        'createStaff',
        'createWebhook',
        'login',
        'reactivateAccount',
        'reactivateCompany',
        'recover',
        'reportUsage',
        'staffLogin',
        'suspendAccount',
        'suspendCompany',
        'updateAccount',
        'updateCompany',
        'updateMe',
        'updateStaff',
        'updateWebhook',
      ].sort(),
    );
  });

  it.each(withBody.map((operation) => [operation.operationId, operation] as const))(
    '%s: never a 5xx; a 4xx names fields of the body; a body refused for its shape costs no request',
    async (_, operation) => {
      const handler = await handlerOf(operation);
      const schema = requestJsonSchema(operation.body as never);
      const documented = new Set(errorCodesOf(operation));
      await fc.assert(
        fc.asyncProperty(bodies(schema), async (sent) => {
          const { result: reply, requests } = await recording(() =>
            handler(eventFor(operation, fixture, sent), lambdaContext()),
          );
          const status = reply.statusCode as number;
          figures.bodies += 1;
          if (status >= 500) figures.serverErrors += 1;
          else if (status >= 400) figures.refused += 1;
          else figures.accepted += 1;

          expect(status).toBeLessThan(500);
          expect(reply.headers?.['x-request-id']).toMatch(/^fuzz-/);
          if (status < 400) return;

          const problem = JSON.parse(String(reply.body));
          figures.byCode[problem.code] = (figures.byCode[problem.code] ?? 0) + 1;
          expect(reply.headers?.['content-type']).toBe('application/problem+json');
          expect(problem.status).toBe(status);
          expect(documented.has(problem.code), problem.code).toBe(true);
          expect(Array.isArray(problem.errors)).toBe(true);
          const sentValue = parsedOrNull(sent);
          for (const error of problem.errors as { path: string; message: string }[]) {
            expect(namesField(error.path, sentValue, schema), error.path).toBe(true);
            expect(error.message).toEqual(expect.any(String));
          }
          const writes = requests.filter((r) => WRITES.has(r.command));
          if (problem.code === 'VALIDATION_FAILED') {
            expect(problem.errors.length).toBeGreaterThan(0);
            // Refused at the edge: no idempotency record, no read, no write.
            expect(requests).toEqual([]);
          } else {
            // A domain refusal writes nothing of the tenant's: at most the failed attempts it
            // counts, and the idempotency record it takes and gives back.
            for (const partition of writes.flatMap((w) => w.partitions)) {
              expect(
                partition.startsWith('ATTEMPTS#') || partition === keys.idempotencyPartition(),
                partition,
              ).toBe(true);
            }
          }
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true, reporter: compactReport },
      );
    },
    60_000,
  );
});
