import { describe, expect, it } from 'vitest';
import type { Account, Company, Contact } from '#lib/model.ts';
import {
  type NewAccountPlanInput,
  newAccountRecord,
  planNewAccount,
} from '#lib/rules/new-account.ts';
import { firstPendingStage, trialEndsAt } from '#lib/rules/trials.ts';
import { accountRecord } from '../support/builders.ts';

const GB = 1024;
const DAY = 86_400_000;
const NOW = new Date('2030-01-10T09:00:00.000Z');
const AT = NOW.toISOString();

const company = (overrides: Partial<Company> = {}): Company => ({
  id: 'C1',
  partnerId: 'P1',
  name: 'HighTech',
  quotaMb: 50 * GB,
  allocatedMb: 40 * GB,
  usedMb: 0,
  accountCount: 1,
  licenses: { egr: 0, spV5: 0 },
  endGuard: false,
  status: 'active',
  adminAccountId: 'ADMIN',
  adminContactId: 'C1',
  createdAt: AT,
  updatedAt: AT,
  ...overrides,
});

const adminContact: Contact = {
  id: 'C1',
  companyId: 'C1',
  fullName: 'Hanna Tech',
  email: 'hanna@hightech.example',
  phone: null,
  createdAt: AT,
};

const parentAccount = (overrides: Partial<Account> = {}): Account =>
  accountRecord({
    id: 'ADMIN',
    username: 'hanna.admin',
    plan: 'select',
    hardQuotaMb: 40 * GB,
    createdAt: AT,
    updatedAt: AT,
    ...overrides,
  });

const plan = (overrides: Partial<NewAccountPlanInput> = {}) =>
  planNewAccount({
    partnerId: 'P1',
    companyId: 'C1',
    body: { username: 'hanna.laptop', plan: 'basic' },
    ids: { account: 'A1', contact: 'K1' },
    company: company(),
    parent: null,
    contact: adminContact,
    planHasParent: false,
    ladder: { fineIncrements: false },
    now: NOW,
    ...overrides,
  });

describe('planning a new account: the company and the parent', () => {
  it('finds no company it did not read and refuses a cancelled one', () => {
    expect(() => plan({ company: null })).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => plan({ company: company({ status: 'cancelled' }) })).toThrow(
      expect.objectContaining({ code: 'COMPANY_CANCELLED' }),
    );
  });

  it('refuses a parent that was not found, is a sub-account or is not active', () => {
    const body = { username: 'hanna.phone', parentId: 'ADMIN' };
    expect(() => plan({ body, parent: null })).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_PARENT' }),
    );
    expect(() => plan({ body, parent: parentAccount({ kind: 'sub', parentId: 'X' }) })).toThrow(
      expect.objectContaining({ code: 'NOT_A_PARENT' }),
    );
    expect(() => plan({ body, parent: parentAccount({ status: 'expired' }) })).toThrow(
      expect.objectContaining({ code: 'PARENT_NOT_ACTIVE' }),
    );
  });

  it("gives a sub-account its parent's plan and trial end and counts it on the parent", () => {
    const parent = parentAccount({
      plan: 'trial',
      hardQuotaMb: 512,
      trialEndsAt: '2030-02-01T00:00:00.000Z',
      trialStage: 'reminder-7',
    });

    const planned = plan({ body: { username: 'hanna.phone', parentId: 'ADMIN' }, parent });

    expect(planned.account).toMatchObject({
      kind: 'sub',
      parentId: 'ADMIN',
      plan: 'trial',
      hardQuotaMb: 512,
      trialEndsAt: '2030-02-01T00:00:00.000Z',
      // Only a parent is filed in the trial index.
      trialStage: null,
    });
    expect(planned.parent).toBe(parent);
    expect(planned.claimsParentMarker).toBeNull();
  });

  it('claims the one-parent marker for a new parent, and refuses a plan that has its parent', () => {
    expect(plan().claimsParentMarker).toBe('basic');
    expect(() => plan({ planHasParent: true })).toThrow(
      expect.objectContaining({ code: 'PLAN_ALREADY_HAS_PARENT' }),
    );
  });

  it('tells what the request gets wrong before the plan, and the plan before the pool', () => {
    expect(() =>
      plan({
        body: { username: 'hanna.laptop', plan: 'basic', hardQuotaMb: 7000 },
        planHasParent: true,
      }),
    ).toThrow(expect.objectContaining({ code: 'QUOTA_NOT_ON_LADDER' }));
    expect(() =>
      plan({
        body: { username: 'hanna.laptop', plan: 'basic', hardQuotaMb: 25 * GB },
        planHasParent: true,
      }),
    ).toThrow(expect.objectContaining({ code: 'PLAN_ALREADY_HAS_PARENT' }));
    expect(() =>
      plan({ body: { username: 'hanna.laptop', plan: 'basic', hardQuotaMb: 25 * GB } }),
    ).toThrow(
      expect.objectContaining({
        code: 'POOL_EXCEEDED',
        extensions: { freeMb: 10 * GB, requestedMb: 25 * GB },
      }),
    );
  });
});

describe('planning a new account: the contact', () => {
  it('makes a new contact with the fresh id and writes it with the account', () => {
    const planned = plan({
      body: {
        username: 'hanna.laptop',
        plan: 'basic',
        contact: { fullName: 'Nina New', email: 'nina@hightech.example' },
      },
      contact: null,
    });

    expect(planned.contact).toEqual({
      id: 'K1',
      companyId: 'C1',
      fullName: 'Nina New',
      email: 'nina@hightech.example',
      phone: null,
      createdAt: AT,
    });
    expect(planned.newContact).toBe(true);
    expect(planned.account.contactId).toBe('K1');
  });

  it('uses the contact read for it, named or the admin contact by default', () => {
    const shared = { ...adminContact, id: 'K2', email: 'sam@hightech.example' };

    const named = plan({
      body: { username: 'hanna.laptop', plan: 'basic', contactId: 'K2' },
      contact: shared,
    });

    expect(named).toMatchObject({
      contact: shared,
      newContact: false,
      account: { contactId: 'K2' },
    });
    expect(plan().account.contactId).toBe('C1');
  });

  it('refuses a named contact that was not found; a company without its admin contact is a fault', () => {
    expect(() =>
      plan({ body: { username: 'hanna.laptop', plan: 'basic', contactId: 'K9' }, contact: null }),
    ).toThrow(expect.objectContaining({ code: 'UNKNOWN_CONTACT' }));
    expect(() => plan({ contact: null })).toThrow('Company C1 has no admin contact');
  });
});

describe('planning a new account: the record, the pool and the audit', () => {
  it('takes the 5 GB minimum from the pool for a pooled account given no size', () => {
    const planned = plan();

    expect(planned.account).toMatchObject({
      id: 'A1',
      kind: 'parent',
      plan: 'basic',
      status: 'active',
      hardQuotaMb: 5 * GB,
      createdAt: AT,
      updatedAt: AT,
    });
    expect(planned.pool).toEqual({
      pooledDeltaMb: 5 * GB,
      accountCountDelta: 1,
      pooled: true,
      requireActive: true,
      listed: { sizeMb: 5 * GB, unlimited: 0, usedMb: 0 },
    });
    expect(planned.audit).toEqual({
      action: 'account.create',
      targetType: 'account',
      targetId: 'A1',
      companyId: 'C1',
      details: { username: 'hanna.laptop', plan: 'basic', kind: 'parent', hardQuotaMb: 5 * GB },
    });
  });

  it('opens a trial outside the pool, for 30 days unless told, waiting for its first stage', () => {
    const byDefault = plan({ body: { username: 'hanna.laptop', plan: 'trial' } });
    const short = plan({ body: { username: 'hanna.laptop', plan: 'trial', trialDays: 5 } });

    expect(byDefault.account).toMatchObject({
      hardQuotaMb: 512,
      trialEndsAt: trialEndsAt(AT, 30),
      trialStage: 'reminder-7',
    });
    expect(byDefault.pool.pooledDeltaMb).toBe(0);
    expect(short.account.trialStage).toBe(firstPendingStage(trialEndsAt(AT, 5), AT));
    expect(short.account.trialStage).toBe('reminder-1');
  });

  it('refuses trial days for a paid plan', () => {
    expect(() => plan({ body: { username: 'hanna.laptop', plan: 'basic', trialDays: 5 } })).toThrow(
      expect.objectContaining({ code: 'NOT_A_TRIAL' }),
    );
  });

  it('leaves the secrets in the clear for hashing and the hashes empty', () => {
    const planned = plan({
      body: {
        username: 'hanna.laptop',
        plan: 'basic',
        password: 'Horse-Battery-Staple-41',
        secretQuestion: 'First pet?',
        secretAnswer: 'Rex',
      },
    });

    expect(planned.secrets).toEqual({ password: 'Horse-Battery-Staple-41', secretAnswer: 'Rex' });
    expect(planned.account).toMatchObject({
      passwordHash: null,
      secretAnswerHash: null,
      passwordIssuedAt: AT,
      secretQuestion: 'First pet?',
    });
    expect(plan().account.passwordIssuedAt).toBeNull();
  });

  it('refuses a weak password and a secret question without its answer', () => {
    expect(() =>
      plan({ body: { username: 'hanna.laptop', plan: 'basic', password: 'password' } }),
    ).toThrow(expect.objectContaining({ code: 'WEAK_PASSWORD' }));
    expect(() =>
      plan({ body: { username: 'hanna.laptop', plan: 'basic', secretQuestion: 'First pet?' } }),
    ).toThrow(expect.objectContaining({ code: 'SECRET_QUESTION_INCOMPLETE' }));
  });

  it("prefixes the fields of a record's errors with where the request nests it", () => {
    const record = () =>
      newAccountRecord({
        request: { username: 'hanna.admin', hardQuotaMb: 7000 },
        id: 'A1',
        partnerId: 'P1',
        companyId: 'C1',
        kind: 'parent',
        parent: null,
        plan: 'select',
        contactId: 'C1',
        poolMb: 50 * GB,
        isCompanyAdmin: true,
        fineIncrements: false,
        fieldPrefix: 'admin.',
        now: NOW,
      });

    expect(record).toThrow(
      expect.objectContaining({ errors: [expect.objectContaining({ path: 'admin.hardQuotaMb' })] }),
    );
  });

  it('gives the admin account created with its company the whole pool by default', () => {
    const { account, pooledMb } = newAccountRecord({
      request: { username: 'hanna.admin' },
      id: 'A1',
      partnerId: 'P1',
      companyId: 'C1',
      kind: 'parent',
      parent: null,
      plan: 'select',
      contactId: 'C1',
      poolMb: 50 * GB,
      isCompanyAdmin: true,
      fineIncrements: false,
      fieldPrefix: 'admin.',
      now: new Date(NOW.getTime() + DAY),
    });

    expect(account.hardQuotaMb).toBe(50 * GB);
    expect(pooledMb).toBe(50 * GB);
  });
});
