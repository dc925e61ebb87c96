import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { ulid } from 'ulid';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod/mini';
import { COMPONENTS_PREFIX, responseJsonSchemas } from '#lib/api/json-schema.ts';
import {
  accountResponse,
  companyResponse,
  contactResponse,
  eventSchemaName,
  featuresResponse,
  problemResponse,
  type ResponseBodies,
  responseSchemas,
  sessionResponse,
  usageTableResponse,
} from '#lib/api/responses.ts';
import { issueSession } from '#lib/auth/sessions.ts';
import { AppError, quotaNotOnLadder, tooManyAttempts } from '#lib/errors.ts';
import { problemFor } from '#lib/http/handler.ts';
import {
  type Account,
  type AccountView,
  type Company,
  type CompanyView,
  type Contact,
  type ContactView,
  toAccountView,
  toCompanyView,
  toContactView,
} from '#lib/model.ts';
import type { SessionReply } from '#lib/provisioning/identity.ts';
import { EVENT_TYPES } from '#lib/rules/events.ts';
import type { AuditEntry } from '#lib/store/audit.ts';
import type { Page } from '#lib/store/table.ts';

const at = '2025-03-01T12:00:00.000Z';
const later = '2025-03-02T08:15:30.250Z';

const company: Company = {
  id: ulid(),
  partnerId: ulid(),
  name: 'Acme Ltd',
  quotaMb: 102_400,
  allocatedMb: 10_240,
  usedMb: 2_000,
  accountCount: 2,
  licenses: { egr: 2, spV5: 0 },
  endGuard: true,
  status: 'active',
  adminAccountId: ulid(),
  adminContactId: ulid(),
  createdAt: at,
  updatedAt: later,
};

const contact: Contact = {
  id: company.id,
  companyId: company.id,
  fullName: 'Hanna Berg',
  email: 'hanna@example.com',
  phone: null,
  createdAt: at,
};

const parent: Account = {
  id: company.adminAccountId,
  partnerId: company.partnerId,
  companyId: company.id,
  username: 'hanna.admin',
  kind: 'parent',
  parentId: null,
  plan: 'select',
  contactId: contact.id,
  status: 'active',
  hardQuotaMb: 10_240,
  userQuotaMb: 4_096,
  usedMb: 1_000,
  ultraSafe: false,
  secretQuestion: 'First pet?',
  secretAnswerHash: 'scrypt$16384$8$1$salt$hash',
  passwordHash: 'scrypt$16384$8$1$salt$hash',
  passwordIssuedAt: at,
  mustChangePassword: false,
  trialEndsAt: null,
  trialStage: null,
  subAccountCount: 1,
  createdAt: at,
  updatedAt: later,
};

const trialSub: Account = {
  ...parent,
  id: ulid(),
  username: 'laptop-7',
  kind: 'sub',
  parentId: parent.id,
  plan: 'trial',
  status: 'expired',
  hardQuotaMb: 512,
  userQuotaMb: null,
  usedMb: 600,
  ultraSafe: true,
  secretQuestion: null,
  secretAnswerHash: null,
  passwordHash: null,
  passwordIssuedAt: null,
  mustChangePassword: true,
  trialEndsAt: '2025-03-31T12:00:00.000Z',
  subAccountCount: 0,
};

const addOns = { licenses: company.licenses, endGuard: company.endGuard };

/** The JSON a client receives: what the schemas describe. */
const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value));

const accepts = (schema: z.ZodMiniType, value: unknown) => schema.safeParse(value).success;

describe('views parse with the response schemas', () => {
  it('accepts a company, with and without a pool', () => {
    // Prepare
    const views = [
      toCompanyView(company),
      toCompanyView({ ...company, quotaMb: null, status: 'cancelled' }),
    ];

    for (const view of views) {
      // Act
      const parsed = companyResponse.safeParse(wire(view));

      // Assess
      expect(parsed.error).toBeUndefined();
      expect(parsed.data).toEqual(view);
    }
  });

  it('accepts a parent and an expired trial sub-account over its quota', () => {
    for (const account of [parent, trialSub, { ...parent, hardQuotaMb: null, userQuotaMb: null }]) {
      const view = toAccountView(account, addOns);
      const parsed = accountResponse.safeParse(wire(view));
      expect(parsed.error).toBeUndefined();
      expect(parsed.data).toEqual(view);
    }
    expect(toAccountView(trialSub, addOns).percentUsed).toBeGreaterThan(100);
  });

  it('accepts a contact, with and without a phone', () => {
    for (const record of [contact, { ...contact, id: ulid(), phone: '+46 70 123 45 67' }]) {
      const view = toContactView(record);
      expect(contactResponse.safeParse(wire(view)).data).toEqual(view);
    }
  });

  it('accepts the envelopes the service builds', () => {
    // Prepare
    const account = toAccountView(parent, addOns);
    const bodies: { [K in keyof ResponseBodies]?: ResponseBodies[K] } = {
      CompanyList: { items: [toCompanyView(company)], nextCursor: 'eyJTSyI6IngifQ' },
      AccountList: { items: [account], nextCursor: null },
      ContactList: { items: [], nextCursor: null },
      CreatedCompany: {
        company: toCompanyView(company),
        account,
        contact: toContactView(contact),
      },
      CreatedAccount: { account, contact: toContactView(contact) },
      AuditList: {
        items: [
          {
            id: ulid(),
            at,
            actor: `partner:${company.partnerId}`,
            actingAs: `admin-of-company:${company.id}`,
            action: 'account.update',
            targetType: 'account',
            targetId: parent.id,
            companyId: company.id,
            details: { hardQuotaMb: 10_240, subAccounts: 0 },
          },
        ],
        nextCursor: null,
      },
      UsageTable: {
        companyId: company.id,
        companyName: company.name,
        items: [
          {
            accountId: parent.id,
            username: parent.username,
            kind: 'parent',
            plan: 'select',
            status: 'active',
            sizeMb: 4_096,
            usedMb: 1_000,
            percentUsed: 24.4,
          },
        ],
        nextCursor: null,
        totals: { accounts: 2, sizeMb: null, usedMb: 1_600, percentUsed: null },
      },
      UsageReportResult: { accepted: 1, unknownAccountIds: [ulid()] },
      Impersonation: {
        token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
        expiresAt: later,
        companyId: company.id,
      },
    };

    for (const [name, body] of Object.entries(bodies)) {
      // Act
      const parsed = responseSchemas[name as keyof ResponseBodies].safeParse(wire(body));

      // Assess
      expect(parsed.error, name).toBeUndefined();
    }
  });

  it('accepts a session as issued', async () => {
    // Prepare
    const issued = await issueSession(
      {
        role: 'backupUser',
        partnerId: company.partnerId,
        companyId: company.id,
        accountId: parent.id,
        mustChangePassword: true,
        actingPartnerId: null,
        actingStaffId: null,
        passwordIssuedAt: at,
      },
      new Date(at),
      1800,
    );
    const reply: SessionReply = { ...issued, role: 'backupUser', mustChangePassword: true };

    // Act / Assess
    expect(sessionResponse.safeParse(wire(reply)).error).toBeUndefined();
  });

  it('accepts the problem documents the edge writes, with their extension members', () => {
    // Prepare
    const errors = [
      new AppError(409, 'POOL_EXCEEDED', { extensions: { freeMb: 0, requestedMb: 5_120 } }),
      quotaNotOnLadder('quotaMb', 7_000, [5_120, 10_240]),
      tooManyAttempts('login', 42),
      new AppError(400, 'VALIDATION_FAILED', { errors: [{ path: 'name', message: 'Required.' }] }),
      new Error('a bug'),
    ];

    for (const error of errors) {
      // Act
      const body = JSON.parse(problemFor(error, 'req-1').body as string);

      // Assess
      expect(problemResponse.safeParse(body).error, body.code).toBeUndefined();
    }
  });
});

describe('the response schemas are strict', () => {
  const account = wire(toAccountView(parent, addOns));

  it('refuses a field the schema does not name, at any depth', () => {
    expect(accepts(accountResponse, { ...account, passwordHash: 'x' })).toBe(false);
    expect(
      accepts(accountResponse, { ...account, features: { ...account.features, extra: true } }),
    ).toBe(false);
    expect(accepts(companyResponse, { ...wire(toCompanyView(company)), partnerId: ulid() })).toBe(
      false,
    );
  });

  it('refuses a missing field and the features under their old name', () => {
    const { updatedAt: _, ...withoutUpdatedAt } = account;
    expect(accepts(accountResponse, withoutUpdatedAt)).toBe(false);
    const { openFileBackupOnServers, ...rest } = account.features;
    expect(accepts(featuresResponse, { ...rest, openFileBackup: openFileBackupOnServers })).toBe(
      false,
    );
  });

  it('refuses a wrong type, a fraction of an MB, an unknown plan and a date that is not ISO', () => {
    expect(accepts(accountResponse, { ...account, usedMb: '1000' })).toBe(false);
    expect(accepts(accountResponse, { ...account, usedMb: 1.5 })).toBe(false);
    expect(accepts(accountResponse, { ...account, hardQuotaMb: undefined })).toBe(false);
    expect(accepts(accountResponse, { ...account, plan: 'gold' })).toBe(false);
    expect(accepts(accountResponse, { ...account, createdAt: '2025-03-01' })).toBe(false);
    expect(accepts(accountResponse, { ...account, id: 'not-an-id' })).toBe(false);
    expect(accepts(usageTableResponse, { items: [], nextCursor: null })).toBe(false);
  });
});

describe('the response components', () => {
  const components = responseJsonSchemas();

  it('holds one component per schema, named by the id it is registered with', () => {
    // Each event type's schema is a component too, named after its type.
    const eventComponents = EVENT_TYPES.map(eventSchemaName);
    expect(Object.keys(components).sort()).toEqual(
      [...Object.keys(responseSchemas), ...eventComponents].sort(),
    );
    for (const type of EVENT_TYPES) {
      const component = components[eventSchemaName(type) as keyof typeof components];
      expect(component, type).toMatchObject({ properties: { type: { const: type } } });
    }
    for (const [name, schema] of Object.entries(responseSchemas)) {
      expect(z.globalRegistry.get(schema)?.id).toBe(name);
    }
  });

  it('refers to other components only, with no $schema or $id inside', () => {
    // Prepare
    const refs: string[] = [];
    const keys = new Set<string>();
    const walk = (node: unknown) => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (node === null || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        keys.add(key);
        if (key === '$ref') refs.push(value as string);
        // Property names are data, not keywords.
        if (key === 'properties') Object.values(value as object).forEach(walk);
        else walk(value);
      }
    };

    // Act
    walk(components);

    // Assess
    expect(keys.has('$schema')).toBe(false);
    expect(keys.has('$id')).toBe(false);
    expect(keys.has('$defs')).toBe(false);
    for (const ref of refs) {
      expect(ref.startsWith(COMPONENTS_PREFIX)).toBe(true);
      expect(Object.keys(components)).toContain(ref.slice(COMPONENTS_PREFIX.length));
    }
    expect(components.Account.properties).toMatchObject({
      features: { $ref: '#/components/schemas/Features' },
    });
    expect(components.AccountList.properties).toMatchObject({
      items: { items: { $ref: '#/components/schemas/Account' } },
    });
    expect(components.Company).toMatchObject({ description: expect.any(String) });
  });

  it('gives the same verdict as the zod schemas, as JSON Schema 2020-12', () => {
    // Prepare
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats.default(ajv);
    ajv.addKeyword('components');
    ajv.addSchema({ $id: 'doc', components: { schemas: components } });
    const validator = (name: keyof ResponseBodies) => {
      const validate = ajv.getSchema(`doc${COMPONENTS_PREFIX}${name}`);
      if (!validate) throw new Error(`no component ${name}`);
      return validate;
    };
    const view = wire(toAccountView(trialSub, addOns));
    const cases: [keyof ResponseBodies, unknown][] = [
      ['Account', view],
      ['Account', { ...view, extra: 1 }],
      ['Account', { ...view, usedMb: 1.5 }],
      ['Account', { ...view, features: { ...view.features, endGuard: 'yes' } }],
      ['Account', { ...view, trialEndsAt: 'tomorrow' }],
      ['Company', wire(toCompanyView(company))],
      ['Company', { ...wire(toCompanyView(company)), status: 'expired' }],
      ['AccountList', { items: [view], nextCursor: null }],
      ['AccountList', { items: [{ ...view, kind: 'child' }], nextCursor: null }],
      ['Contact', wire(toContactView(contact))],
      ['Problem', { type: 'https://e.dev/x', title: 'T', status: 409, code: 'X', detail: 'd' }],
      [
        'Problem',
        {
          type: 'https://e.dev/x',
          title: 'T',
          status: 422,
          code: 'QUOTA_NOT_ON_LADDER',
          detail: 'd',
          errors: [],
          nearestMb: [5_120, 10_240],
        },
      ],
    ];

    for (const [name, value] of cases) {
      // Act
      const byJsonSchema = validator(name)(value);

      // Assess
      expect(byJsonSchema, `${name} ${JSON.stringify(value).slice(0, 80)}`).toBe(
        accepts(responseSchemas[name], value),
      );
    }
  });
});

describe('the reply types are the schemas', () => {
  it('matches what the service code declares', () => {
    expectTypeOf<CompanyView>().toEqualTypeOf<ResponseBodies['Company']>();
    expectTypeOf<AccountView>().toEqualTypeOf<ResponseBodies['Account']>();
    expectTypeOf<ContactView>().toEqualTypeOf<ResponseBodies['Contact']>();
    expectTypeOf<Page<CompanyView>>().toEqualTypeOf<ResponseBodies['CompanyList']>();
    expectTypeOf<Page<AccountView>>().toEqualTypeOf<ResponseBodies['AccountList']>();
    expectTypeOf<Page<ContactView>>().toEqualTypeOf<ResponseBodies['ContactList']>();
    expectTypeOf<Page<AuditEntry>>().toEqualTypeOf<ResponseBodies['AuditList']>();
  });
});
