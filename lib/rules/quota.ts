import {
  belowUsage,
  invalidQuota,
  poolBelowAllocated,
  poolExceeded,
  pooledQuotaRequired,
  quotaNotOnLadder,
} from '#lib/errors.ts';
import { type AccountStatus, PLANS, type PlanName, TRIAL_DEFAULT_QUOTA_MB } from './plans.ts';

export const MB_PER_GB = 1024;
export const MIN_POOLED_MB = 5 * MB_PER_GB;

export interface LadderOptions {
  fineIncrements: boolean;
}

const LOW_RUNGS_GB = [5, 10, 25, 50, 100];

/** The ladder as data, for clients that offer its sizes (the portal): the rungs, then the step. */
export function ladderOf(opts: LadderOptions): { rungsGb: number[]; stepGbAbove100: number } {
  return { rungsGb: [...LOW_RUNGS_GB], stepGbAbove100: opts.fineIncrements ? 50 : 100 };
}

/** SPEC §2.3: 5, 10, 25, 50, 100 GB, then steps of 100 GB (50 GB with the entitlement). */
function isLadderGb(gb: number, opts: LadderOptions): boolean {
  if (gb <= 100) return LOW_RUNGS_GB.includes(gb);
  return gb % (opts.fineIncrements ? 50 : 100) === 0;
}

export function isLadderSize(mb: number, opts: LadderOptions): boolean {
  if (!Number.isInteger(mb) || mb % MB_PER_GB !== 0) return false;
  return isLadderGb(mb / MB_PER_GB, opts);
}

export function nearestLadderSizes(
  mb: number,
  opts: LadderOptions,
): { below: number | null; above: number } {
  // Dividing by a power of two is exact, so the rung arithmetic below has no rounding error.
  const gb = mb / MB_PER_GB;
  if (Number.isNaN(gb)) return { below: null, above: MIN_POOLED_MB };
  const step = opts.fineIncrements ? 50 : 100;
  let below: number | null = null;
  for (const rung of LOW_RUNGS_GB) if (rung < gb) below = rung;
  if (gb > 100) below = Math.ceil(gb / step) * step - step;
  const low = LOW_RUNGS_GB.find((rung) => rung > gb);
  const above = low ?? Math.floor(gb / step) * step + step;
  return { below: below === null ? null : below * MB_PER_GB, above: above * MB_PER_GB };
}

export function assertLadderSize(mb: number, opts: LadderOptions, field: string): void {
  if (isLadderSize(mb, opts)) return;
  const { below, above } = nearestLadderSizes(mb, opts);
  // Below the smallest size, the two nearest are the two smallest.
  const nearest: [number, number] =
    below === null ? [above, nearestLadderSizes(above, opts).above] : [below, above];
  throw quotaNotOnLadder(field, mb, nearest);
}

export function effectiveQuotaMb(
  hardQuotaMb: number | null,
  userQuotaMb: number | null,
): number | null {
  if (hardQuotaMb === null) return userQuotaMb;
  if (userQuotaMb === null) return hardQuotaMb;
  return Math.min(hardQuotaMb, userQuotaMb);
}

/** One decimal; null when unlimited. A zero quota counts as full as soon as anything is stored. */
export function percentUsed(usedMb: number, effectiveMb: number | null): number | null {
  if (effectiveMb === null) return null;
  if (effectiveMb === 0) return usedMb > 0 ? 100 : 0;
  return Math.round((usedMb / effectiveMb) * 100 * 10) / 10;
}

export interface PoolState {
  quotaMb: number | null;
  allocatedMb: number;
}

/** What a company's pool has free: views, stored items and the pool check all use this. */
export const freeMb = (pool: PoolState): number | null =>
  pool.quotaMb === null ? null : pool.quotaMb - pool.allocatedMb;

export function assertFitsPool(pool: PoolState, additionalMb: number): void {
  const free = freeMb(pool);
  if (free === null || additionalMb <= 0) return;
  if (additionalMb > free) {
    throw poolExceeded(free, additionalMb);
  }
}

export function assertPoolResize(
  newQuotaMb: number,
  allocatedMb: number,
  opts: LadderOptions,
): void {
  assertLadderSize(newQuotaMb, opts, 'quotaMb');
  if (newQuotaMb < allocatedMb) {
    throw poolBelowAllocated(allocatedMb);
  }
}

export function assertNotBelowUsage(newHardQuotaMb: number | null, usedMb: number): void {
  if (newHardQuotaMb !== null && newHardQuotaMb < usedMb) {
    throw belowUsage(usedMb);
  }
}

export interface HardQuotaInput {
  plan: PlanName;
  /** undefined = not given; null = explicitly unlimited. */
  requestedMb: number | null | undefined;
  poolMb: number | null;
  /** The admin account created together with its company takes the whole pool by default. */
  isCompanyAdmin: boolean;
  fineIncrements: boolean;
}

export interface HardQuotaDecision {
  hardQuotaMb: number | null;
  /** What the account counts in the pool's `allocatedMb`. */
  pooledMb: number;
}

export function decideHardQuota(input: HardQuotaInput): HardQuotaDecision {
  const { plan, requestedMb } = input;
  // The HTTP schema already refuses these; checked again because plan conversions call this too.
  if (typeof requestedMb === 'number' && (!Number.isInteger(requestedMb) || requestedMb <= 0)) {
    throw invalidQuota({ kind: 'not-positive-integer' });
  }
  // Trials stay outside the pool (SPEC §2.3), so the ladder does not apply to them.
  if (!PLANS[plan].pooled || input.poolMb === null) {
    if (requestedMb === null && plan === 'trial') {
      throw invalidQuota({ kind: 'unlimited-trial', trialDefaultMb: TRIAL_DEFAULT_QUOTA_MB });
    }
    const hardQuotaMb = requestedMb === undefined ? PLANS[plan].defaultHardQuotaMb : requestedMb;
    return { hardQuotaMb, pooledMb: 0 };
  }
  if (requestedMb === null) {
    throw pooledQuotaRequired();
  }
  const hardQuotaMb = requestedMb ?? (input.isCompanyAdmin ? input.poolMb : MIN_POOLED_MB);
  assertLadderSize(hardQuotaMb, { fineIncrements: input.fineIncrements }, 'hardQuotaMb');
  return { hardQuotaMb, pooledMb: hardQuotaMb };
}

export function pooledMbOf(
  account: { plan: PlanName; hardQuotaMb: number | null; status: AccountStatus },
  companyHasPool: boolean,
): number {
  if (!companyHasPool || !PLANS[account.plan].pooled || account.status === 'cancelled') return 0;
  return account.hardQuotaMb ?? 0;
}
