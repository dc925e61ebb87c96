import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertFitsPool,
  assertLadderSize,
  assertNotBelowUsage,
  assertPoolResize,
  decideHardQuota,
  effectiveQuotaMb,
  freeMb,
  type HardQuotaInput,
  isLadderSize,
  type LadderOptions,
  MB_PER_GB,
  MIN_POOLED_MB,
  nearestLadderSizes,
  percentUsed,
  pooledMbOf,
} from '#lib/rules/quota.ts';

const GB = MB_PER_GB;
const PLAIN: LadderOptions = { fineIncrements: false };
const FINE: LadderOptions = { fineIncrements: true };

/** Sizes up to 2 TB: arbitrary MB, whole GB, and multiples of 50 GB so valid sizes are common. */
const anySizeMb = fc.oneof(
  fc.integer({ min: -10 * GB, max: 2048 * GB }),
  fc.integer({ min: -5, max: 2048 }).map((gb) => gb * GB),
  fc.integer({ min: 0, max: 40 }).map((k) => k * 50 * GB),
  fc.constantFrom(0, 5 * GB, 10 * GB, 25 * GB, 50 * GB, 100 * GB, 150 * GB),
);
const ladderOptions = fc.record({ fineIncrements: fc.boolean() });

/** Valid sizes built from the SPEC's own description, independently of the implementation. */
const plainLadderMb = fc.oneof(
  fc.constantFrom(5, 10, 25, 50, 100).map((gb) => gb * GB),
  fc.integer({ min: 1, max: 100 }).map((h) => h * 100 * GB),
);
const fineLadderMb = fc.oneof(
  plainLadderMb,
  fc.integer({ min: 2, max: 200 }).map((k) => k * 50 * GB),
);

describe('isLadderSize (SPEC §2.3)', () => {
  it.each([
    [5, true, true],
    [10, true, true],
    [25, true, true],
    [50, true, true],
    [100, true, true],
    [150, false, true],
    [200, true, true],
    [250, false, true],
    [300, true, true],
    [350, false, true],
    [1000, true, true],
    [1050, false, true],
  ])('%i GB is valid without the entitlement: %s, with fineIncrements: %s', (gb, plain, fine) => {
    expect(isLadderSize(gb * GB, PLAIN)).toBe(plain);
    expect(isLadderSize(gb * GB, FINE)).toBe(fine);
  });

  it.each([0, 1, 2, 3, 4, 6, 9, 11, 20, 24, 26, 40, 49, 51, 75, 99, 101, 120, 175, 199, 201, 225])(
    '%i GB is never valid',
    (gb) => {
      expect(isLadderSize(gb * GB, PLAIN)).toBe(false);
      expect(isLadderSize(gb * GB, FINE)).toBe(false);
    },
  );

  it.each([
    5 * GB + 1,
    5 * GB - 1,
    5000,
    5 * 1000,
    100 * 1000,
    -5 * GB,
    5 * GB + 0.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
  ])('refuses %s MB, which is not a whole number of GB on the ladder', (mb) => {
    expect(isLadderSize(mb, PLAIN)).toBe(false);
    expect(isLadderSize(mb, FINE)).toBe(false);
  });

  it('property: every valid size is a whole number of GB and at least 5 GB', () => {
    fc.assert(
      fc.property(anySizeMb, ladderOptions, (mb, opts) => {
        fc.pre(isLadderSize(mb, opts));
        expect(mb % 1024).toBe(0);
        expect(mb).toBeGreaterThanOrEqual(MIN_POOLED_MB);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: the sizes the SPEC lists are all accepted', () => {
    fc.assert(
      fc.property(plainLadderMb, (mb) => {
        expect(isLadderSize(mb, PLAIN)).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fineLadderMb, (mb) => {
        expect(isLadderSize(mb, FINE)).toBe(true);
      }),
    );
  });

  it('property: the fineIncrements ladder is a superset of the plain ladder', () => {
    fc.assert(
      fc.property(anySizeMb, (mb) => {
        if (isLadderSize(mb, PLAIN)) expect(isLadderSize(mb, FINE)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('nearestLadderSizes', () => {
  it.each([
    [75 * GB, PLAIN, 50 * GB, 100 * GB],
    [75 * GB, FINE, 50 * GB, 100 * GB],
    [150 * GB, PLAIN, 100 * GB, 200 * GB],
    [150 * GB, FINE, 100 * GB, 200 * GB],
    [175 * GB, FINE, 150 * GB, 200 * GB],
    [5 * GB + 1, PLAIN, 5 * GB, 10 * GB],
    [100 * GB, PLAIN, 50 * GB, 200 * GB],
    [100 * GB, FINE, 50 * GB, 150 * GB],
    [5 * GB, PLAIN, null, 10 * GB],
    [3 * GB, PLAIN, null, 5 * GB],
    [0, FINE, null, 5 * GB],
    [-1, PLAIN, null, 5 * GB],
  ])('around %i MB (%o) are %s and %s', (mb, opts, below, above) => {
    expect(nearestLadderSizes(mb, opts)).toEqual({ below, above });
  });

  it('property: below < x < above, both valid, nothing valid strictly between', () => {
    fc.assert(
      fc.property(anySizeMb, ladderOptions, (mb, opts) => {
        // Act
        const { below, above } = nearestLadderSizes(mb, opts);

        // Assess
        expect(above).toBeGreaterThan(mb);
        expect(isLadderSize(above, opts)).toBe(true);
        if (below === null) {
          expect(mb).toBeLessThanOrEqual(MIN_POOLED_MB);
        } else {
          expect(below).toBeLessThan(mb);
          expect(isLadderSize(below, opts)).toBe(true);
        }
        // Valid sizes are whole GB, so checking every GB in the gap is exhaustive.
        const from = below === null ? 0 : below + GB;
        for (let candidate = from; candidate < above; candidate += GB) {
          if (candidate !== mb) expect(isLadderSize(candidate, opts)).toBe(false);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('assertLadderSize', () => {
  it('accepts a valid size silently', () => {
    expect(() => assertLadderSize(10 * GB, PLAIN, 'quotaMb')).not.toThrow();
    expect(() => assertLadderSize(150 * GB, FINE, 'quotaMb')).not.toThrow();
  });

  it('refuses 75 GB with 422 QUOTA_NOT_ON_LADDER naming 50 GB and 100 GB', () => {
    expect(() => assertLadderSize(75 * GB, PLAIN, 'hardQuotaMb')).toThrow(
      expect.objectContaining({
        status: 422,
        code: 'QUOTA_NOT_ON_LADDER',
        extensions: { nearestMb: [50 * GB, 100 * GB] },
        errors: [
          {
            path: 'hardQuotaMb',
            message: expect.stringMatching(/^(?=.*50 GB)(?=.*100 GB)/s),
          },
        ],
        detail: expect.stringMatching(/^(?=.*hardQuotaMb)(?=.*50 GB.*100 GB)/s),
      }),
    );
  });

  it('refuses 150 GB without the entitlement, pointing to 100 GB and 200 GB', () => {
    expect(() => assertLadderSize(150 * GB, PLAIN, 'quotaMb')).toThrow(
      expect.objectContaining({
        code: 'QUOTA_NOT_ON_LADDER',
        extensions: { nearestMb: [100 * GB, 200 * GB] },
        errors: [expect.objectContaining({ path: 'quotaMb' })],
      }),
    );
  });

  it('refuses 250 GB without the entitlement and accepts it with', () => {
    expect(() => assertLadderSize(250 * GB, PLAIN, 'quotaMb')).toThrow(
      expect.objectContaining({ extensions: { nearestMb: [200 * GB, 300 * GB] } }),
    );
    expect(() => assertLadderSize(250 * GB, FINE, 'quotaMb')).not.toThrow();
  });

  it.each([0, 1 * GB, 4 * GB])('refuses %i MB, below the 5 GB minimum, as off the ladder', (mb) => {
    expect(() => assertLadderSize(mb, FINE, 'quotaMb')).toThrow(
      expect.objectContaining({
        status: 422,
        code: 'QUOTA_NOT_ON_LADDER',
        extensions: { nearestMb: [5 * GB, 10 * GB] },
        errors: [expect.objectContaining({ message: expect.stringMatching(/5 GB and 10 GB/) })],
      }),
    );
  });

  it('refuses 5121 MB, one MB over 5 GB', () => {
    expect(() => assertLadderSize(5121, PLAIN, 'hardQuotaMb')).toThrow(
      expect.objectContaining({
        status: 422,
        code: 'QUOTA_NOT_ON_LADDER',
        extensions: { nearestMb: [5 * GB, 10 * GB] },
      }),
    );
  });

  it('property: refuses exactly what isLadderSize refuses, with its nearest sizes', () => {
    fc.assert(
      fc.property(anySizeMb, ladderOptions, (mb, opts) => {
        if (isLadderSize(mb, opts)) {
          expect(() => assertLadderSize(mb, opts, 'quotaMb')).not.toThrow();
        } else {
          const { below, above } = nearestLadderSizes(mb, opts);
          // Always two valid sizes: below the smallest, the two smallest.
          const expected =
            below === null
              ? [MIN_POOLED_MB, nearestLadderSizes(MIN_POOLED_MB, opts).above]
              : [below, above];
          for (const size of expected) expect(isLadderSize(size, opts)).toBe(true);
          expect(() => assertLadderSize(mb, opts, 'quotaMb')).toThrow(
            expect.objectContaining({
              code: 'QUOTA_NOT_ON_LADDER',
              extensions: { nearestMb: expected },
            }),
          );
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('effectiveQuotaMb', () => {
  it('takes the smaller of hard and user quota, in either order', () => {
    expect(effectiveQuotaMb(10 * GB, 3 * GB)).toBe(3 * GB);
    expect(effectiveQuotaMb(3 * GB, 10 * GB)).toBe(3 * GB);
  });

  it('counts null as infinite on either side', () => {
    expect(effectiveQuotaMb(null, 2048)).toBe(2048);
    expect(effectiveQuotaMb(2048, null)).toBe(2048);
    expect(effectiveQuotaMb(null, null)).toBeNull();
  });

  it('property: never above either finite quota and equal to one of them', () => {
    const quota = fc.option(fc.integer({ min: 0, max: 1e9 }), { nil: null });
    fc.assert(
      fc.property(quota, quota, (hard, user) => {
        const effective = effectiveQuotaMb(hard, user);
        expect(effectiveQuotaMb(user, hard)).toBe(effective);
        if (hard !== null) expect(effective).not.toBeNull();
        if (hard !== null) expect(effective!).toBeLessThanOrEqual(hard);
        if (user !== null) expect(effective!).toBeLessThanOrEqual(user);
        expect([hard, user]).toContain(effective);
      }),
    );
  });
});

describe('percentUsed', () => {
  it('rounds to one decimal', () => {
    expect(percentUsed(1, 3)).toBe(33.3);
    expect(percentUsed(2, 3)).toBe(66.7);
    expect(percentUsed(512, 1024)).toBe(50);
    expect(percentUsed(1, 2000)).toBe(0.1);
    expect(percentUsed(1, 20000)).toBe(0);
  });

  it('is null when the quota is unlimited', () => {
    expect(percentUsed(12345, null)).toBeNull();
  });

  it('can exceed 100 when usage outgrew a lowered quota', () => {
    expect(percentUsed(1500, 1000)).toBe(150);
  });

  it('treats a zero quota as full once anything is stored', () => {
    expect(percentUsed(0, 0)).toBe(0);
    expect(percentUsed(1, 0)).toBe(100);
  });
});

describe('pool arithmetic', () => {
  it('freeMb is the pool minus what is allocated', () => {
    expect(freeMb({ quotaMb: 10 * GB, allocatedMb: 5 * GB })).toBe(5 * GB);
    expect(freeMb({ quotaMb: 10 * GB, allocatedMb: 0 })).toBe(10 * GB);
    expect(freeMb({ quotaMb: null, allocatedMb: 5 * GB })).toBeNull();
  });

  it('refuses an allocation larger than what is free, saying how much is free', () => {
    // Prepare
    const pool = { quotaMb: 10 * GB, allocatedMb: 10 * GB - 100 };

    // Act / Assess
    expect(() => assertFitsPool(pool, 5 * GB)).toThrow(
      expect.objectContaining({
        status: 409,
        code: 'POOL_EXCEEDED',
        extensions: { freeMb: 100, requestedMb: 5 * GB },
        detail: expect.stringMatching(/^(?=.*100 MB)(?=.*5120 MB)/s),
      }),
    );
  });

  it('accepts an allocation that exactly fills the pool', () => {
    expect(() => assertFitsPool({ quotaMb: 10 * GB, allocatedMb: 5 * GB }, 5 * GB)).not.toThrow();
  });

  it('does not limit companies without a pool, nor shrinking allocations', () => {
    expect(() => assertFitsPool({ quotaMb: null, allocatedMb: 0 }, 1e9)).not.toThrow();
    // A pool already over-full (e.g. shrunk by an operator) must still let accounts shrink.
    expect(() => assertFitsPool({ quotaMb: 5 * GB, allocatedMb: 20 * GB }, -5 * GB)).not.toThrow();
    expect(() => assertFitsPool({ quotaMb: 5 * GB, allocatedMb: 20 * GB }, 0)).not.toThrow();
  });

  it('property: allocations applied only when they fit never overfill the pool', () => {
    const command = fc.oneof(
      fc.record({
        kind: fc.constant('allocate' as const),
        mb: fc.integer({ min: 1, max: 300 * GB }),
      }),
      fc.record({ kind: fc.constant('free' as const), index: fc.nat() }),
    );
    fc.assert(
      fc.property(fineLadderMb, fc.array(command, { maxLength: 60 }), (quotaMb, commands) => {
        // Prepare
        const allocations: number[] = [];
        let allocatedMb = 0;

        for (const step of commands) {
          // Act
          if (step.kind === 'allocate') {
            const fits = allocatedMb + step.mb <= quotaMb;
            const pool = { quotaMb, allocatedMb };
            if (fits) {
              expect(() => assertFitsPool(pool, step.mb)).not.toThrow();
              allocations.push(step.mb);
              allocatedMb += step.mb;
            } else {
              expect(() => assertFitsPool(pool, step.mb)).toThrow(
                expect.objectContaining({
                  code: 'POOL_EXCEEDED',
                  extensions: expect.objectContaining({ freeMb: quotaMb - allocatedMb }),
                }),
              );
            }
          } else if (allocations.length > 0) {
            const [released] = allocations.splice(step.index % allocations.length, 1);
            allocatedMb -= released!;
          }

          // Assess
          expect(allocatedMb).toBeLessThanOrEqual(quotaMb);
          expect(freeMb({ quotaMb, allocatedMb })).toBe(quotaMb - allocatedMb);
          expect(freeMb({ quotaMb, allocatedMb })).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('assertPoolResize', () => {
  it('accepts a ladder size at or above what is allocated', () => {
    expect(() => assertPoolResize(25 * GB, 25 * GB, PLAIN)).not.toThrow();
    expect(() => assertPoolResize(50 * GB, 25 * GB, PLAIN)).not.toThrow();
  });

  it('refuses shrinking below what is allocated with 409 POOL_BELOW_ALLOCATED', () => {
    expect(() => assertPoolResize(10 * GB, 15 * GB, PLAIN)).toThrow(
      expect.objectContaining({
        status: 409,
        code: 'POOL_BELOW_ALLOCATED',
        extensions: { allocatedMb: 15 * GB },
      }),
    );
  });

  it('checks the ladder first, on the field quotaMb', () => {
    for (const offLadder of [30 * GB, 75 * GB]) {
      expect(() => assertPoolResize(offLadder, 500 * GB, PLAIN)).toThrow(
        expect.objectContaining({
          status: 422,
          code: 'QUOTA_NOT_ON_LADDER',
          errors: [expect.objectContaining({ path: 'quotaMb' })],
        }),
      );
    }
  });

  it('property: refuses every valid size below allocated and accepts every other', () => {
    fc.assert(
      fc.property(
        fineLadderMb,
        fc.integer({ min: 0, max: 20_000 * GB }),
        (newQuotaMb, allocated) => {
          if (newQuotaMb < allocated) {
            expect(() => assertPoolResize(newQuotaMb, allocated, FINE)).toThrow(
              expect.objectContaining({ code: 'POOL_BELOW_ALLOCATED' }),
            );
          } else {
            expect(() => assertPoolResize(newQuotaMb, allocated, FINE)).not.toThrow();
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('assertNotBelowUsage', () => {
  it('refuses a hard quota below what the account stores', () => {
    expect(() => assertNotBelowUsage(5 * GB, 5 * GB + 1)).toThrow(
      expect.objectContaining({
        status: 409,
        code: 'BELOW_USAGE',
        extensions: { usedMb: 5 * GB + 1 },
      }),
    );
  });

  it('accepts a quota equal to usage, above usage, or unlimited', () => {
    expect(() => assertNotBelowUsage(5 * GB, 5 * GB)).not.toThrow();
    expect(() => assertNotBelowUsage(10 * GB, 5 * GB)).not.toThrow();
    expect(() => assertNotBelowUsage(null, 1e9)).not.toThrow();
  });
});

describe('decideHardQuota', () => {
  const base: HardQuotaInput = {
    plan: 'select',
    requestedMb: undefined,
    poolMb: null,
    isCompanyAdmin: false,
    fineIncrements: false,
  };

  it('gives the admin of a new pooled company the whole pool', () => {
    // Act
    const decision = decideHardQuota({ ...base, poolMb: 10 * GB, isCompanyAdmin: true });

    // Assess
    expect(decision).toEqual({ hardQuotaMb: 10240, pooledMb: 10240 });
  });

  it('lets the admin of a pooled company take a smaller allocation', () => {
    const decision = decideHardQuota({
      ...base,
      poolMb: 100 * GB,
      isCompanyAdmin: true,
      requestedMb: 25 * GB,
    });
    expect(decision).toEqual({ hardQuotaMb: 25 * GB, pooledMb: 25 * GB });
  });

  it('gives further pooled accounts the 5 GB minimum by default', () => {
    for (const plan of ['basic', 'select'] as const) {
      const decision = decideHardQuota({ ...base, plan, poolMb: 100 * GB });
      expect(decision).toEqual({ hardQuotaMb: 5120, pooledMb: 5120 });
    }
  });

  it('refuses an explicitly unlimited pooled account with 422 POOLED_QUOTA_REQUIRED', () => {
    expect(() => decideHardQuota({ ...base, poolMb: 10 * GB, requestedMb: null })).toThrow(
      expect.objectContaining({
        status: 422,
        code: 'POOLED_QUOTA_REQUIRED',
        errors: [expect.objectContaining({ path: 'hardQuotaMb' })],
      }),
    );
  });

  it('refuses a pooled allocation off the ladder, on hardQuotaMb', () => {
    for (const requestedMb of [75 * GB, 7000]) {
      expect(() => decideHardQuota({ ...base, poolMb: 100 * GB, requestedMb })).toThrow(
        expect.objectContaining({
          code: 'QUOTA_NOT_ON_LADDER',
          errors: [expect.objectContaining({ path: 'hardQuotaMb' })],
        }),
      );
    }
    expect(() => decideHardQuota({ ...base, poolMb: 100 * GB, requestedMb: 75 * GB })).toThrow(
      expect.objectContaining({ extensions: { nearestMb: [50 * GB, 100 * GB] } }),
    );
  });

  it('honours the partner fineIncrements entitlement for pooled allocations', () => {
    const input = { ...base, poolMb: 500 * GB, requestedMb: 150 * GB };
    expect(() => decideHardQuota(input)).toThrow(
      expect.objectContaining({ code: 'QUOTA_NOT_ON_LADDER' }),
    );
    expect(decideHardQuota({ ...input, fineIncrements: true })).toEqual({
      hardQuotaMb: 150 * GB,
      pooledMb: 150 * GB,
    });
  });

  it('gives a trial 512 MB outside the pool, with or without one', () => {
    for (const poolMb of [null, 10 * GB]) {
      const decision = decideHardQuota({ ...base, plan: 'trial', poolMb, isCompanyAdmin: true });
      expect(decision).toEqual({ hardQuotaMb: 512, pooledMb: 0 });
    }
  });

  it('lets a trial ask for another size, off the ladder and outside the pool', () => {
    const decision = decideHardQuota({
      ...base,
      plan: 'trial',
      poolMb: 10 * GB,
      requestedMb: 2000,
    });
    expect(decision).toEqual({ hardQuotaMb: 2000, pooledMb: 0 });
  });

  it('refuses an unlimited trial with 422 INVALID_QUOTA', () => {
    expect(() => decideHardQuota({ ...base, plan: 'trial', requestedMb: null })).toThrow(
      expect.objectContaining({
        status: 422,
        code: 'INVALID_QUOTA',
        errors: [expect.objectContaining({ path: 'hardQuotaMb' })],
      }),
    );
  });

  it('leaves basic and select unlimited by default when the company has no pool', () => {
    expect(decideHardQuota({ ...base, plan: 'basic' })).toEqual({ hardQuotaMb: null, pooledMb: 0 });
    expect(decideHardQuota({ ...base, plan: 'select', isCompanyAdmin: true })).toEqual({
      hardQuotaMb: null,
      pooledMb: 0,
    });
  });

  it('takes any positive size or explicit unlimited when the company has no pool', () => {
    expect(decideHardQuota({ ...base, requestedMb: 777 })).toEqual({
      hardQuotaMb: 777,
      pooledMb: 0,
    });
    expect(decideHardQuota({ ...base, requestedMb: null })).toEqual({
      hardQuotaMb: null,
      pooledMb: 0,
    });
  });

  it.each([0, -1, 1.5])('refuses a requested size of %s MB', (requestedMb) => {
    expect(() => decideHardQuota({ ...base, requestedMb })).toThrow(
      expect.objectContaining({ status: 422, code: 'INVALID_QUOTA' }),
    );
  });

  it('property: pooled decisions are finite ladder sizes that count in full', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('basic' as const, 'select' as const),
        fineLadderMb,
        fc.option(fineLadderMb, { nil: undefined }),
        fc.boolean(),
        (plan, poolMb, requestedMb, isCompanyAdmin) => {
          const decision = decideHardQuota({
            plan,
            poolMb,
            requestedMb,
            isCompanyAdmin,
            fineIncrements: true,
          });
          expect(decision.hardQuotaMb).not.toBeNull();
          expect(isLadderSize(decision.hardQuotaMb!, FINE)).toBe(true);
          expect(decision.pooledMb).toBe(decision.hardQuotaMb);
        },
      ),
    );
  });
});

describe('pooledMbOf', () => {
  it('counts an active or expired paid account in a pooled company', () => {
    expect(pooledMbOf({ plan: 'select', hardQuotaMb: 5 * GB, status: 'active' }, true)).toBe(
      5 * GB,
    );
    expect(pooledMbOf({ plan: 'basic', hardQuotaMb: 10 * GB, status: 'expired' }, true)).toBe(
      10 * GB,
    );
  });

  it('counts nothing for cancelled accounts, trials, unlimited accounts or pool-less companies', () => {
    expect(pooledMbOf({ plan: 'select', hardQuotaMb: 5 * GB, status: 'cancelled' }, true)).toBe(0);
    expect(pooledMbOf({ plan: 'trial', hardQuotaMb: 512, status: 'active' }, true)).toBe(0);
    expect(pooledMbOf({ plan: 'select', hardQuotaMb: null, status: 'active' }, true)).toBe(0);
    expect(pooledMbOf({ plan: 'select', hardQuotaMb: 5 * GB, status: 'active' }, false)).toBe(0);
  });
});
