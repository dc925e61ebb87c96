import { describe, expect, it } from 'vitest';
import type { Account, Company, Contact } from '#lib/model.ts';
import {
  type AccountChangeInput,
  type AccountChangePlan,
  changesGroup,
  planAccountCancellation,
  planAccountChange,
  versionAfter,
} from '#lib/rules/account-change.ts';
import { firstPendingStage, trialEndsAt } from '#lib/rules/trials.ts';
import { accountRecord } from '../support/builders.ts';

const GB = 1024;
const DAY = 86_400_000;
const T0 = Date.parse('2030-01-10T09:00:00.000Z');
const iso = (days: number, extraMs = 0) => new Date(T0 + days * DAY + extraMs).toISOString();
const NOW = new Date(T0 + 5 * DAY);

const company = (overrides: Partial<Company> = {}): Company => ({
  id: 'C1',
  partnerId: 'P1',
  name: 'HighTech',
  quotaMb: 50 * GB,
  allocatedMb: 20 * GB,
  usedMb: 0,
  accountCount: 3,
  licenses: { egr: 0, spV5: 0 },
  endGuard: false,
  status: 'active',
  adminAccountId: 'ADMIN',
  adminContactId: 'C1',
  createdAt: iso(0),
  updatedAt: iso(0),
  ...overrides,
});

const account = (overrides: Partial<Account> = {}): Account =>
  accountRecord({ createdAt: iso(0), updatedAt: iso(0), ...overrides });

const trialParent = (overrides: Partial<Account> = {}) =>
  account({
    plan: 'trial',
    hardQuotaMb: 512,
    trialEndsAt: iso(30),
    trialStage: 'reminder-7',
    subAccountCount: 1,
    ...overrides,
  });

const trialSub = (overrides: Partial<Account> = {}) =>
  account({
    id: 'S1',
    username: 'hanna.phone',
    kind: 'sub',
    parentId: 'A1',
    plan: 'trial',
    hardQuotaMb: 512,
    trialEndsAt: iso(30),
    ...overrides,
  });

const contact: Contact = {
  id: 'K2',
  companyId: 'C1',
  fullName: 'Sam Shared',
  email: 'sam@hightech.example',
  phone: null,
  createdAt: iso(0),
};

const change = (overrides: Partial<AccountChangeInput>): AccountChangePlan =>
  planAccountChange({
    account: account(),
    company: company(),
    subAccounts: [],
    contact: null,
    planHasParent: false,
    body: {},
    ladder: { fineIncrements: false },
    now: NOW,
    ...overrides,
  });

const afterOf = (plan: AccountChangePlan, id: string) =>
  plan.changes.find((c) => c.after.id === id)?.after;

describe('planning an account change: what is refused', () => {
  it('does not find an account it did not read, or one without its company', () => {
    expect(() => change({ account: null })).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => change({ company: null })).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('refuses a change in a cancelled company and to a cancelled account', () => {
    expect(() => change({ company: company({ status: 'cancelled' }) })).toThrow(
      expect.objectContaining({ code: 'COMPANY_CANCELLED' }),
    );
    expect(() => change({ account: account({ status: 'cancelled' }) })).toThrow(
      expect.objectContaining({ code: 'ACCOUNT_CANCELLED' }),
    );
  });

  it('refuses to change UltraSafe and to name a contact that was not found', () => {
    expect(() => change({ body: { ultraSafe: true } })).toThrow(
      expect.objectContaining({ code: 'ULTRASAFE_IMMUTABLE' }),
    );
    expect(() => change({ body: { contactId: 'K9' } })).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_CONTACT' }),
    );
  });

  it("refuses a sub-account's own plan or trial, naming the field", () => {
    const sub = trialSub();
    expect(() => change({ account: sub, body: { plan: 'basic' } })).toThrow(
      expect.objectContaining({
        code: 'SUB_ACCOUNT_FOLLOWS_PARENT',
        errors: [expect.objectContaining({ path: 'plan' })],
      }),
    );
    expect(() => change({ account: sub, body: { trialDays: 40 } })).toThrow(
      expect.objectContaining({ errors: [expect.objectContaining({ path: 'trialDays' })] }),
    );
  });

  it('refuses a conversion to a trial and an extension of what is no trial', () => {
    expect(() => change({ body: { plan: 'trial' } })).toThrow(
      expect.objectContaining({ code: 'CANNOT_CONVERT_TO_TRIAL' }),
    );
    expect(() => change({ body: { trialDays: 40 } })).toThrow(
      expect.objectContaining({ code: 'NOT_A_TRIAL' }),
    );
  });

  it('refuses a size off the ladder, below usage or past the free pool', () => {
    expect(() => change({ body: { hardQuotaMb: 7000 } })).toThrow(
      expect.objectContaining({ code: 'QUOTA_NOT_ON_LADDER' }),
    );
    expect(() =>
      change({ account: account({ usedMb: 8000 }), body: { hardQuotaMb: 5 * GB } }),
    ).toThrow(expect.objectContaining({ code: 'BELOW_USAGE', extensions: { usedMb: 8000 } }));
    expect(() => change({ body: { hardQuotaMb: 50 * GB } })).toThrow(
      expect.objectContaining({
        code: 'POOL_EXCEEDED',
        extensions: { freeMb: 30 * GB, requestedMb: 40 * GB },
      }),
    );
  });

  it('tells a plan that has its parent before a pool that is too small', () => {
    expect(() =>
      change({
        account: trialParent({ subAccountCount: 0 }),
        body: { plan: 'select', hardQuotaMb: 50 * GB },
        planHasParent: true,
      }),
    ).toThrow(expect.objectContaining({ code: 'PLAN_ALREADY_HAS_PARENT' }));
  });
});

describe('planning an account change: what is written', () => {
  it('resizes the named account only, moving the pool and the listed totals by the difference', () => {
    const plan = change({ body: { hardQuotaMb: 25 * GB }, subAccounts: [trialSub()] });

    expect(plan.changes).toHaveLength(1);
    expect(plan.account).toMatchObject({ hardQuotaMb: 25 * GB, updatedAt: NOW.toISOString() });
    expect(plan.pool).toEqual({
      pooledDeltaMb: 15 * GB,
      accountCountDelta: 0,
      pooled: true,
      requireActive: true,
      listed: { sizeMb: 15 * GB, unlimited: 0, usedMb: 0 },
    });
    expect(plan.parentMarker).toBeNull();
    expect(plan.audit).toEqual({
      action: 'account.update',
      targetType: 'account',
      targetId: 'A1',
      companyId: 'C1',
      details: { hardQuotaMb: 25 * GB, subAccounts: 0 },
    });
  });

  it('returns storage on a shrink without requiring the company to take more', () => {
    const plan = change({ body: { hardQuotaMb: 5 * GB } });

    expect(plan.pool).toMatchObject({ pooledDeltaMb: -5 * GB, requireActive: false });
  });

  it('writes no pool change when neither the pool nor the totals move', () => {
    const plan = change({ body: { contactId: contact.id }, contact });

    expect(plan.account.contactId).toBe('K2');
    expect(plan.pool).toBeNull();
  });

  it('moves only the listed totals of a company without a pool', () => {
    const plan = change({ company: company({ quotaMb: null }), body: { hardQuotaMb: 20 * 1000 } });

    expect(plan.pool).toMatchObject({
      pooledDeltaMb: 0,
      pooled: false,
      listed: { sizeMb: 20_000 - 10 * GB },
    });
  });

  it('converts a trial parent and its sub-accounts: the trial ends, paid quotas apply, the marker moves', () => {
    const plan = change({
      account: trialParent({ status: 'expired', trialStage: null }),
      subAccounts: [trialSub({ status: 'expired' })],
      body: { plan: 'basic', hardQuotaMb: 10 * GB },
    });

    expect(afterOf(plan, 'A1')).toMatchObject({
      plan: 'basic',
      status: 'active',
      hardQuotaMb: 10 * GB,
      trialEndsAt: null,
      trialStage: null,
    });
    expect(afterOf(plan, 'S1')).toMatchObject({
      plan: 'basic',
      status: 'active',
      hardQuotaMb: 5 * GB,
      trialEndsAt: null,
    });
    expect(plan.pool?.pooledDeltaMb).toBe(15 * GB);
    expect(plan.parentMarker).toEqual({ release: 'trial', claim: 'basic' });
    expect(plan.audit).toMatchObject({
      action: 'account.convert',
      details: { plan: 'basic', subAccounts: 1 },
    });
  });

  it('names the event of each kind of change', () => {
    const trial = { account: trialParent(), subAccounts: [trialSub()] };

    expect(change({ ...trial, body: { plan: 'basic' } }).eventType).toBe('trial.converted');
    expect(change({ ...trial, body: { trialDays: 60 } }).eventType).toBe('trial.extended');
    expect(change({ ...trial, body: { hardQuotaMb: 1024 } }).eventType).toBe('account.updated');
    expect(change({ body: { plan: 'select' } }).eventType).toBe('account.updated');
    expect(change({ body: { hardQuotaMb: 25 * GB } }).eventType).toBe('account.updated');
    expect(change({ body: { contactId: 'K2' }, contact }).eventType).toBe('account.updated');
  });

  it('keeps the size of a paid plan converted to another unless a size is asked for', () => {
    expect(change({ body: { plan: 'select' } }).account).toMatchObject({
      plan: 'select',
      hardQuotaMb: 10 * GB,
    });
    expect(change({ body: { plan: 'select', hardQuotaMb: 25 * GB } }).account.hardQuotaMb).toBe(
      25 * GB,
    );
  });

  it('extends a trial from its creation: the parent waits for the new first stage, the subs follow', () => {
    const plan = change({
      account: trialParent(),
      subAccounts: [trialSub()],
      body: { trialDays: 60 },
    });

    const endsAt = trialEndsAt(iso(0), 60);
    expect(afterOf(plan, 'A1')).toMatchObject({
      trialEndsAt: endsAt,
      trialStage: firstPendingStage(endsAt, NOW.toISOString()),
    });
    expect(afterOf(plan, 'S1')).toMatchObject({ trialEndsAt: endsAt, trialStage: null });
    expect(plan.pool).toBeNull();
    expect(plan.parentMarker).toBeNull();
  });

  it('reopens an expired trial extended past now, and leaves one still past its end expired', () => {
    const expired = trialParent({ status: 'expired', trialStage: null, subAccountCount: 0 });

    expect(change({ account: expired, body: { trialDays: 20 } }).account).toMatchObject({
      status: 'active',
      trialStage: 'reminder-7',
    });
    expect(change({ account: expired, body: { trialDays: 3 } }).account).toMatchObject({
      status: 'expired',
      trialStage: null,
    });
  });

  it('writes a version strictly later than every account read, even within their millisecond', () => {
    const read = account({ updatedAt: NOW.toISOString() });

    expect(versionAfter(NOW, [read])).toBe(new Date(NOW.getTime() + 1).toISOString());
    expect(change({ account: read, body: { hardQuotaMb: 25 * GB } }).at).toBe(
      new Date(NOW.getTime() + 1).toISOString(),
    );
  });

  it('needs the sub-accounts read only for a conversion or an extension', () => {
    expect(changesGroup({ hardQuotaMb: 5 * GB }, account())).toBe(false);
    expect(changesGroup({ plan: 'basic' }, account())).toBe(false);
    expect(changesGroup({ plan: 'select' }, account())).toBe(true);
    expect(changesGroup({ trialDays: 10 }, account())).toBe(true);
  });
});

describe('planning a cancellation', () => {
  const cancel = (input: Partial<Parameters<typeof planAccountCancellation>[0]>) =>
    planAccountCancellation({
      account: account(),
      company: company(),
      subAccounts: [],
      now: NOW,
      ...input,
    });

  it('does not find an account it did not read and returns a cancelled one as it is', () => {
    expect(() => cancel({ account: null })).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    const gone = account({ status: 'cancelled' });
    expect(cancel({ account: gone })).toEqual({
      alreadyCancelled: true,
      account: gone,
      company: company(),
    });
  });

  it('refuses the admin account of an active company, not of a cancelled one', () => {
    const admin = account({ id: 'ADMIN' });
    expect(() => cancel({ account: admin })).toThrow(
      expect.objectContaining({ code: 'ADMIN_ACCOUNT' }),
    );
    expect(cancel({ account: admin, company: company({ status: 'cancelled' }) })).toMatchObject({
      alreadyCancelled: false,
    });
  });

  it('cancels a parent with its sub-accounts, returns their storage and frees the plan', () => {
    const parent = account({ subAccountCount: 1 });
    const sub = account({
      id: 'S1',
      kind: 'sub',
      parentId: 'A1',
      hardQuotaMb: 5 * GB,
      usedMb: 100,
    });

    const plan = cancel({ account: parent, subAccounts: [sub] });

    expect(plan).toMatchObject({
      alreadyCancelled: false,
      accounts: [parent, sub],
      cancelled: { id: 'A1', status: 'cancelled', updatedAt: NOW.toISOString() },
      pool: {
        pooledDeltaMb: -15 * GB,
        accountCountDelta: -2,
        requireActive: false,
        listed: { sizeMb: -15 * GB, unlimited: 0, usedMb: -100 },
      },
      releasesParentMarker: 'basic',
      detachesFromParent: false,
      audit: {
        action: 'account.cancel',
        details: { username: 'hanna.laptop', subAccountsCancelled: 1, returnedMb: 15 * GB },
      },
    });
  });

  it('uncounts a sub-account on its parent and leaves the plan marker alone', () => {
    const plan = cancel({ account: trialSub() });

    expect(plan).toMatchObject({
      releasesParentMarker: null,
      detachesFromParent: true,
      pool: { accountCountDelta: -1, listed: { sizeMb: -512 } },
      audit: { details: { returnedMb: 0 } },
    });
  });
});
