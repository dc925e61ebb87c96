import { describe, expect, it } from 'vitest';
import {
  assertCompanyAdminMayWrite,
  combinedSuspension,
  isSuspended,
  planAccountSuspension,
  planCompanySuspension,
  withoutReason,
  withReason,
} from '#lib/rules/suspension.ts';

const T1 = '2026-12-01T10:00:00.000Z';
const T2 = '2026-12-02T10:00:00.000Z';

describe('suspension reasons', () => {
  it('are added once each, in the catalogue’s order, suspended since the first', () => {
    const first = withReason(null, 'abuse', T1);
    const second = withReason(first, 'non_payment', T2);

    expect(first).toEqual({ reasons: ['abuse'], since: T1 });
    expect(second).toEqual({ reasons: ['non_payment', 'abuse'], since: T1 });
    expect(withReason(second, 'abuse', T2)).toBeNull();
  });

  it('are taken away one at a time; none left is active again; an absent one changes nothing', () => {
    const both = { reasons: ['non_payment', 'manual'] as const, since: T1 };
    const suspension = { reasons: [...both.reasons], since: T1 };

    expect(withoutReason(suspension, 'non_payment')).toEqual({
      unchanged: false,
      suspension: { reasons: ['manual'], since: T1 },
    });
    expect(withoutReason({ reasons: ['manual'], since: T1 }, 'manual')).toEqual({
      unchanged: false,
      suspension: null,
    });
    expect(withoutReason(suspension, 'abuse')).toEqual({ unchanged: true });
    expect(withoutReason(null, 'abuse')).toEqual({ unchanged: true });
  });

  it('of an account combine with its company’s, since the earlier', () => {
    expect(combinedSuspension(null, undefined)).toBeNull();
    expect(combinedSuspension({ reasons: ['abuse'], since: T2 }, null)).toEqual({
      reasons: ['abuse'],
      since: T2,
    });
    expect(
      combinedSuspension(
        { reasons: ['abuse', 'manual'], since: T2 },
        { reasons: ['manual', 'non_payment'], since: T1 },
      ),
    ).toEqual({ reasons: ['non_payment', 'manual', 'abuse'], since: T1 });
    expect(isSuspended({ reasons: [], since: T1 })).toBe(false);
  });
});

describe('planning a suspension', () => {
  const company = { status: 'active', suspension: null, updatedAt: T1 };

  it('writes a version strictly later than the one read, even from an earlier clock', () => {
    const plan = planCompanySuspension({
      target: company,
      reason: 'manual',
      action: 'suspend',
      now: new Date('2026-11-30T00:00:00.000Z'),
    });

    expect(plan.unchanged).toBe(false);
    if (plan.unchanged) return;
    expect(plan.at).toBe('2026-12-01T10:00:00.001Z');
    expect(plan.after).toMatchObject({ suspension: { reasons: ['manual'] }, updatedAt: plan.at });
  });

  it('refuses what is cancelled or missing, and answers a repeat unchanged', () => {
    const now = new Date(T2);
    const cancelled = { ...company, status: 'cancelled' };
    expect(() =>
      planCompanySuspension({ target: cancelled, reason: 'manual', action: 'suspend', now }),
    ).toThrow(expect.objectContaining({ code: 'COMPANY_CANCELLED' }));
    expect(() =>
      planAccountSuspension({
        target: cancelled,
        company,
        reason: 'manual',
        action: 'reactivate',
        now,
      }),
    ).toThrow(expect.objectContaining({ code: 'ACCOUNT_CANCELLED' }));
    expect(() =>
      planAccountSuspension({ target: null, company, reason: 'manual', action: 'suspend', now }),
    ).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(
      planCompanySuspension({ target: company, reason: 'manual', action: 'reactivate', now }),
    ).toEqual({ unchanged: true, target: company });
  });
});

describe('a company admin’s writes', () => {
  const suspended = { suspension: { reasons: ['manual' as const], since: T1 } };

  it('are refused while its company, or the account written, is suspended', () => {
    expect(() => assertCompanyAdminMayWrite(true, suspended)).toThrow(
      expect.objectContaining({ code: 'COMPANY_SUSPENDED', status: 409 }),
    );
    expect(() => assertCompanyAdminMayWrite(true, { suspension: null }, suspended)).toThrow(
      expect.objectContaining({ code: 'ACCOUNT_SUSPENDED', status: 409 }),
    );
    expect(() => assertCompanyAdminMayWrite(true, { suspension: null }, {})).not.toThrow();
  });

  it('of the partner are never held back', () => {
    expect(() => assertCompanyAdminMayWrite(false, suspended, suspended)).not.toThrow();
  });
});
