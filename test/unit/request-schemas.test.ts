import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import * as fc from 'fast-check';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { requestJsonSchema } from '#lib/api/json-schema.ts';
import { fieldErrors } from '#lib/http/validation.ts';
import { assertUltraSafeCreation } from '#lib/rules/ultrasafe.ts';
import {
  changePasswordSchema,
  contactSchema,
  createAccountSchema,
  createCompanySchema,
  loginSchema,
  recoverSchema,
  updateAccountSchema,
  updateCompanySchema,
  updateMeSchema,
  usageReportsSchema,
} from '#lib/schemas.ts';

type Json = Record<string, any>;

// `required` in a subschema naming properties declared beside it is plain JSON Schema, which
// Ajv's strict mode would flag (strictRequired) as a likely mistake.
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
addFormats.default(ajv);

/** Whether the JSON Schema of `schema` admits `body`. */
const jsonSchemaAccepts = (schema: z.ZodMiniType) => {
  const validate = ajv.compile(requestJsonSchema(schema));
  return (body: unknown) => validate(body);
};

const zodAccepts = (schema: z.ZodMiniType, body: unknown) => schema.safeParse(body).success;

const messages = (schema: z.ZodMiniType, body: unknown) => {
  const parsed = schema.safeParse(body);
  return parsed.success ? [] : fieldErrors(parsed.error);
};

const id = ulid();
const contact = { fullName: 'Hanna Berg', email: 'hanna@example.com' };

describe('the JSON Schema of each request carries the rules the server checks', () => {
  it('has no $schema inside, and refuses unknown fields everywhere', () => {
    for (const schema of [
      createCompanySchema,
      updateCompanySchema,
      contactSchema,
      createAccountSchema,
      updateAccountSchema,
      usageReportsSchema,
      loginSchema,
      changePasswordSchema,
      recoverSchema,
      updateMeSchema,
    ]) {
      const json = requestJsonSchema(schema);
      expect(json).not.toHaveProperty('$schema');
      expect(json).toMatchObject({ type: 'object', additionalProperties: false });
    }
  });

  it('gives the username its length and pattern, upper case allowed', () => {
    // Act
    const account = requestJsonSchema(createAccountSchema) as Json;
    const company = requestJsonSchema(createCompanySchema) as Json;

    // Assess
    for (const username of [
      account.properties.username,
      company.properties.admin.properties.username,
    ]) {
      expect(username).toMatchObject({ type: 'string', minLength: 3 });
      const pattern = new RegExp(username.pattern, 'u');
      expect(pattern.test('Hanna.Laptop')).toBe(true);
      expect(pattern.test('a@b')).toBe(true);
      expect(pattern.test('ab')).toBe(false);
      expect(pattern.test('_hanna')).toBe(false);
      expect(pattern.test('hanna laptop')).toBe(false);
      expect(pattern.test('a'.repeat(65))).toBe(false);
    }
  });

  it('states the exclusive fields of an account creation', () => {
    expect(requestJsonSchema(createAccountSchema)).toMatchObject({
      required: ['username'],
      oneOf: [
        { properties: { plan: {} }, required: ['plan'] },
        { properties: { parentId: {} }, required: ['parentId'] },
      ],
      allOf: expect.arrayContaining([
        { not: { properties: { contactId: {}, contact: {} }, required: ['contactId', 'contact'] } },
        {
          not: { properties: { parentId: {}, trialDays: {} }, required: ['parentId', 'trialDays'] },
        },
      ]),
    });
  });

  it('asks a PATCH body for at least one field', () => {
    expect(requestJsonSchema(updateCompanySchema)).toMatchObject({ minProperties: 1 });
    expect(requestJsonSchema(updateAccountSchema)).toMatchObject({ minProperties: 1 });
  });

  it('says texts are not blank and how long passwords are', () => {
    const json = requestJsonSchema(createAccountSchema) as Json;
    expect(json.properties.contact.properties.fullName).toMatchObject({
      maxLength: 200,
      pattern: '\\S',
    });
    expect(json.properties.secretQuestion).toMatchObject({ maxLength: 200, pattern: '\\S' });
    expect(json.properties.password).toMatchObject({ minLength: 8, maxLength: 128 });
    expect((requestJsonSchema(changePasswordSchema) as Json).properties.newPassword).toMatchObject({
      minLength: 8,
      maxLength: 128,
    });
  });
});

describe('the JSON Schema and zod agree on a body', () => {
  const cases: [string, z.ZodMiniType, unknown][] = [
    ['a parent', createAccountSchema, { username: 'Laptop.7', plan: 'trial', trialDays: 14 }],
    ['a sub-account', createAccountSchema, { username: 'laptop-8', parentId: id, contactId: id }],
    ['neither plan nor parent', createAccountSchema, { username: 'laptop-9' }],
    ['plan and parent', createAccountSchema, { username: 'laptop-9', plan: 'basic', parentId: id }],
    [
      'a contact twice',
      createAccountSchema,
      { username: 'laptop-9', plan: 'basic', contactId: id, contact },
    ],
    [
      'a sub with a trial',
      createAccountSchema,
      { username: 'laptop-9', parentId: id, trialDays: 5 },
    ],
    ['a short username', createAccountSchema, { username: 'ab', plan: 'basic' }],
    ['a padded username', createAccountSchema, { username: '  Hanna  ', plan: 'basic' }],
    ['a username with a space', createAccountSchema, { username: 'han na', plan: 'basic' }],
    ['an unknown field', createAccountSchema, { username: 'laptop-9', plan: 'basic', x: 1 }],
    [
      'a blank contact name',
      createAccountSchema,
      { username: 'abc', plan: 'basic', contact: { ...contact, fullName: '   ' } },
    ],
    [
      'a fraction of an MB',
      createAccountSchema,
      { username: 'abc', plan: 'basic', hardQuotaMb: 1.5 },
    ],
    ['an empty PATCH', updateCompanySchema, {}],
    ['a rename', updateCompanySchema, { name: 'Acme AB' }],
    ['a blank name', updateCompanySchema, { name: ' ' }],
    ['an empty account PATCH', updateAccountSchema, {}],
    ['a resize', updateAccountSchema, { hardQuotaMb: 10_240 }],
    [
      'a company',
      createCompanySchema,
      { name: 'Acme', contact, admin: { username: 'Acme-Admin', plan: 'select' } },
    ],
    [
      'a company with a bad admin',
      createCompanySchema,
      { name: 'Acme', contact, admin: { username: '.admin', plan: 'select' } },
    ],
    ['usage', usageReportsSchema, { reports: [{ accountId: id, usedMb: 0 }] }],
    ['no usage', usageReportsSchema, { reports: [] }],
    ['my quota', updateMeSchema, { userQuotaMb: null }],
  ];

  it.each(cases)('%s', (_name, schema, body) => {
    expect(jsonSchemaAccepts(schema)(body)).toBe(zodAccepts(schema, body));
  });

  it('on any username', () => {
    // Prepare
    const byJsonSchema = jsonSchemaAccepts(createAccountSchema);
    const username = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 70 }),
      fc.stringMatching(/^\s{0,2}[A-Za-z0-9._@+\- ]{0,66}\s{0,2}$/),
    );

    // Act / Assess
    fc.assert(
      fc.property(username, (name) => {
        const body = { username: name, plan: 'basic' };
        expect(byJsonSchema(body)).toBe(zodAccepts(createAccountSchema, body));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('the JSON Schema states the account rules answered 422', () => {
  const parent = { username: 'laptop-1', plan: 'basic' };
  const cases: [string, Record<string, unknown>, boolean, string | null][] = [
    ['a question and its answer', { secretQuestion: 'Pet?', secretAnswer: 'Rex' }, true, null],
    [
      'a question without an answer',
      { secretQuestion: 'Pet?' },
      false,
      'SECRET_QUESTION_INCOMPLETE',
    ],
    ['an answer without a question', { secretAnswer: 'Rex' }, false, 'SECRET_QUESTION_INCOMPLETE'],
    ['UltraSafe', { ultraSafe: true }, true, null],
    [
      'UltraSafe with a question',
      { ultraSafe: true, secretQuestion: 'Pet?', secretAnswer: 'Rex' },
      false,
      'ULTRASAFE_NO_SECRET_QUESTION',
    ],
    [
      'not UltraSafe, with a question',
      { ultraSafe: false, secretQuestion: 'Pet?', secretAnswer: 'Rex' },
      true,
      null,
    ],
  ];

  it.each(cases)('%s', (_name, fields, admitted, code) => {
    // Act
    const byAccount = jsonSchemaAccepts(createAccountSchema)({ ...parent, ...fields });
    const byCompany = jsonSchemaAccepts(createCompanySchema)({
      name: 'Acme',
      contact,
      admin: { ...parent, ...fields },
    });
    const ruleCheck = () => assertUltraSafeCreation({ ultraSafe: false, ...fields });

    // Assess
    expect([byAccount, byCompany]).toEqual([admitted, admitted]);
    if (code === null) expect(ruleCheck).not.toThrow();
    else expect(ruleCheck).toThrow(expect.objectContaining({ code }));
  });

  it('gives a trial length to a trial only', () => {
    const accepts = jsonSchemaAccepts(createAccountSchema);
    expect(accepts({ username: 'abc', plan: 'trial', trialDays: 7 })).toBe(true);
    expect(accepts({ username: 'abc', plan: 'select', trialDays: 7 })).toBe(false);
    const company = jsonSchemaAccepts(createCompanySchema);
    const admin = { username: 'abc', plan: 'basic', trialDays: 7 };
    expect(company({ name: 'Acme', contact, admin })).toBe(false);
    expect(company({ name: 'Acme', contact, admin: { ...admin, plan: 'trial' } })).toBe(true);
  });
});

describe('the server answers as it did', () => {
  it('trims and lower-cases the username', () => {
    expect(createAccountSchema.parse({ username: '  Hanna.Laptop ', plan: 'basic' })).toMatchObject(
      { username: 'hanna.laptop' },
    );
  });

  it('gives one message per username problem', () => {
    const of = (username: string) => messages(createAccountSchema, { username, plan: 'basic' });
    expect(of('ab')).toEqual([{ path: 'username', message: 'Must be 3 to 64 characters long.' }]);
    expect(of('  ab  ')).toEqual([
      { path: 'username', message: 'Must be 3 to 64 characters long.' },
    ]);
    expect(of('a'.repeat(65))).toEqual([
      { path: 'username', message: 'Must be 3 to 64 characters long.' },
    ]);
    expect(of('_abc')).toEqual([
      { path: 'username', message: 'Must start with a letter or a digit.' },
    ]);
    expect(of('ab cd')).toEqual([
      { path: 'username', message: 'May contain only letters, digits and . _ @ + -' },
    ]);
  });

  it('keeps the messages of the exclusive fields and of an empty PATCH', () => {
    expect(messages(createAccountSchema, { username: 'abc' })).toEqual([
      {
        path: 'plan',
        message: 'Give exactly one of plan (a parent account) or parentId (a sub-account).',
      },
    ]);
    expect(
      messages(createAccountSchema, { username: 'abc', plan: 'basic', contactId: id, contact }),
    ).toEqual([{ path: 'contact', message: 'Give contactId or contact, not both.' }]);
    expect(messages(createAccountSchema, { username: 'abc', parentId: id, trialDays: 3 })).toEqual([
      { path: 'trialDays', message: "A sub-account follows its parent's plan and trial." },
    ]);
    expect(messages(updateAccountSchema, {})).toEqual([
      { path: 'body', message: 'Name at least one field to change.' },
    ]);
  });

  it('calls a blank text empty, once', () => {
    expect(messages(contactSchema, { ...contact, fullName: '  ' })).toEqual([
      { path: 'fullName', message: 'Must not be empty.' },
    ]);
  });
});
