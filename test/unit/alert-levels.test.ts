import { describe, expect, it } from 'vitest';
import {
  type AlertLevel,
  accountAlert,
  alertLevelFor,
  companyAlert,
  evaluateAlert,
} from '#lib/rules/alert-levels.ts';

describe('alertLevelFor', () => {
  it.each<[AlertLevel, number | null, AlertLevel]>([
    // Rising: a level is reached at exactly its percentage.
    [0, 0, 0],
    [0, 79.9, 0],
    [0, 80, 80],
    [0, 89.9, 80],
    [0, 90, 90],
    [0, 99.9, 90],
    [0, 100, 100],
    [0, 130, 100],
    // Straight past several levels: the highest reached.
    [0, 95, 90],
    [80, 100, 100],
    // Held while use is less than 5 points below the level.
    [80, 84.9, 80],
    [80, 75.1, 80],
    [90, 85.1, 90],
    [100, 95.1, 100],
    // Lowered once 5 points below or more: to the highest level still held or reached.
    [80, 75, 0],
    [80, 74.9, 0],
    [90, 85, 80],
    [90, 84.9, 80],
    [90, 74.9, 0],
    [100, 95, 90],
    [100, 88, 90],
    [100, 84.9, 80],
    [100, 60, 0],
    // Unlimited is not watched.
    [100, null, 0],
  ])('held %i, at %s %% → %i', (previous, percent, level) => {
    expect(alertLevelFor(previous, percent)).toBe(level);
  });
});

describe('evaluateAlert', () => {
  it('tells a crossing upwards with the figures, and nothing while the level stays', () => {
    expect(evaluateAlert(0, 4147, 5120)).toEqual({
      level: 80,
      change: {
        type: 'quota.threshold_crossed',
        level: 80,
        previousLevel: 0,
        usedMb: 4147,
        quotaMb: 5120,
        percentUsed: 81,
      },
    });
    expect(evaluateAlert(80, 4352, 5120)).toEqual({ level: 80, change: null });
  });

  it('tells a recovery once use is 5 points below, and a later crossing again', () => {
    const recovered = evaluateAlert(80, 3789, 5120);
    const again = evaluateAlert(recovered.level, 4198, 5120);

    expect(recovered).toMatchObject({
      level: 0,
      change: { type: 'quota.recovered', previousLevel: 80, percentUsed: 74 },
    });
    expect(again).toMatchObject({
      level: 80,
      change: { type: 'quota.threshold_crossed', previousLevel: 0, percentUsed: 82 },
    });
  });

  it('decides on the percentage as views show it (one decimal)', () => {
    // 79.96 % shows as 80 %: the level is reached as it is shown.
    expect(evaluateAlert(0, 7996, 10000).level).toBe(80);
    expect(evaluateAlert(0, 7994, 10000).level).toBe(0);
  });

  it('drops an unlimited quota to 0 without an event, and counts a record without a level as 0', () => {
    expect(evaluateAlert(90, 5000, null)).toEqual({ level: 0, change: null });
    expect(evaluateAlert(undefined, 10, 100)).toEqual({ level: 0, change: null });
  });
});

describe('what is watched', () => {
  const account = { status: 'active', hardQuotaMb: 1000, userQuotaMb: null, usedMb: 850 };

  it('an account on its effective quota, min(hard, user)', () => {
    expect(accountAlert(account).level).toBe(80);
    expect(accountAlert({ ...account, userQuotaMb: 850 }).level).toBe(100);
    expect(accountAlert({ ...account, hardQuotaMb: null }).level).toBe(0);
  });

  it('not a cancelled account: its level stays', () => {
    expect(accountAlert({ ...account, status: 'cancelled', usedMb: 1000, alertLevel: 80 })).toEqual(
      { level: 80, change: null },
    );
  });

  it('a company on its pool, and not a company without one', () => {
    expect(companyAlert({ quotaMb: 10240, usedMb: 9300 }).level).toBe(90);
    expect(companyAlert({ quotaMb: null, usedMb: 9300, alertLevel: 90 })).toEqual({
      level: 0,
      change: null,
    });
  });
});
