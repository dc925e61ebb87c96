import { describe, expect, it } from 'vitest';
import {
  type CompanyAddOns,
  featuresFor,
  PLAN_NAMES,
  PLANS,
  TRIAL_DEFAULT_QUOTA_MB,
} from '#lib/rules/plans.ts';
import { TRIAL_DEFAULT_DAYS, trialEndsAt } from '#lib/rules/trials.ts';

const NO_ADD_ONS: CompanyAddOns = { licenses: { egr: 0, spV5: 0 }, endGuard: false };

describe('plans (SPEC §2.1)', () => {
  it('knows exactly the three plans', () => {
    expect([...PLAN_NAMES]).toEqual(['trial', 'basic', 'select']);
    expect(Object.keys(PLANS).sort()).toEqual(['basic', 'select', 'trial']);
  });

  it('gives trials 512 MB, outside the pool', () => {
    expect(PLANS.trial).toEqual({
      openFileBackupOnServers: true,
      versioning: true,
      defaultHardQuotaMb: 512,
      pooled: false,
    });
    expect(TRIAL_DEFAULT_QUOTA_MB).toBe(512);
  });

  it('gives basic neither open-file backup on servers nor versioning, unlimited by default', () => {
    expect(PLANS.basic).toEqual({
      openFileBackupOnServers: false,
      versioning: false,
      defaultHardQuotaMb: null,
      pooled: true,
    });
  });

  it('gives select everything, unlimited by default', () => {
    expect(PLANS.select).toEqual({
      openFileBackupOnServers: true,
      versioning: true,
      defaultHardQuotaMb: null,
      pooled: true,
    });
  });
});

describe('featuresFor', () => {
  it('leaves open-file backup on servers and versioning out of basic', () => {
    // Prepare / Act
    const features = featuresFor('basic', NO_ADD_ONS, 'active');

    // Assess
    expect(features.openFileBackupOnServers).toBe(false);
    expect(features.versioning).toBe(false);
  });

  it('includes open-file backup on servers and versioning in select and trial', () => {
    for (const plan of ['select', 'trial'] as const) {
      const features = featuresFor(plan, NO_ADD_ONS, 'active');
      expect(features.openFileBackupOnServers).toBe(true);
      expect(features.versioning).toBe(true);
    }
  });

  it('adds the company add-ons to every plan', () => {
    // Prepare
    const addOns: CompanyAddOns = { licenses: { egr: 3, spV5: 7 }, endGuard: true };

    for (const plan of PLAN_NAMES) {
      // Act
      const features = featuresFor(plan, addOns, 'active');

      // Assess
      expect(features).toMatchObject({ endGuard: true, egrLicenses: 3, spV5Licenses: 7 });
    }
  });

  it('reports no add-ons when the company has none', () => {
    expect(featuresFor('select', NO_ADD_ONS, 'active')).toEqual({
      openFileBackupOnServers: true,
      versioning: true,
      endGuard: false,
      egrLicenses: 0,
      spV5Licenses: 0,
      backupsAllowed: true,
    });
  });

  it('allows backups only while the account is active', () => {
    expect(featuresFor('trial', NO_ADD_ONS, 'active').backupsAllowed).toBe(true);
    expect(featuresFor('trial', NO_ADD_ONS, 'expired').backupsAllowed).toBe(false);
    expect(featuresFor('select', NO_ADD_ONS, 'cancelled').backupsAllowed).toBe(false);
  });
});

describe('trialEndsAt', () => {
  it('ends a default trial 30 days after creation, to the millisecond', () => {
    // Prepare
    const createdAt = '2025-01-15T10:20:30.456Z';

    // Act
    const endsAt = trialEndsAt(createdAt, TRIAL_DEFAULT_DAYS);

    // Assess
    expect(TRIAL_DEFAULT_DAYS).toBe(30);
    expect(endsAt).toBe('2025-02-14T10:20:30.456Z');
  });

  it('counts days of 24 hours, whatever the calendar month', () => {
    expect(trialEndsAt('2024-02-28T00:00:00.000Z', 1)).toBe('2024-02-29T00:00:00.000Z');
    expect(trialEndsAt('2024-12-31T23:59:59.999Z', 90)).toBe('2025-03-31T23:59:59.999Z');
  });

  it('accepts a creation time with an offset and answers in UTC', () => {
    expect(trialEndsAt('2025-06-01T02:00:00+02:00', 7)).toBe('2025-06-08T00:00:00.000Z');
  });
});
