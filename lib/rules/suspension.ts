/**
 * Suspension as pure decisions (SPEC §2.8): reasons stack, each at most once; reactivating takes
 * one away, and the object is active again once none is left. A company's suspension applies to
 * its accounts by being combined into their views, so suspending a company rewrites no account.
 */
import {
  accountCancelled,
  accountSuspended,
  companyCancelled,
  companySuspended,
  notFound,
} from '#lib/errors.ts';

export const SUSPENSION_REASONS = ['non_payment', 'manual', 'abuse'] as const;
export type SuspensionReason = (typeof SUSPENSION_REASONS)[number];

export interface Suspension {
  /** In the catalogue's order, each once. */
  reasons: SuspensionReason[];
  /** When the object was last made suspended from active: kept while any reason is left. */
  since: string;
}

const ordered = (reasons: Iterable<SuspensionReason>): SuspensionReason[] => {
  const set = new Set(reasons);
  return SUSPENSION_REASONS.filter((reason) => set.has(reason));
};

export const isSuspended = (suspension: Suspension | null | undefined): boolean =>
  (suspension?.reasons.length ?? 0) > 0;

/** The suspension after adding `reason`, or null when it is there already (nothing to write). */
export function withReason(
  current: Suspension | null | undefined,
  reason: SuspensionReason,
  at: string,
): Suspension | null {
  if (current?.reasons.includes(reason)) return null;
  return {
    reasons: ordered([...(current?.reasons ?? []), reason]),
    since: current && isSuspended(current) ? current.since : at,
  };
}

/**
 * The suspension after removing `reason`: `{ suspension: null }` once none is left, and
 * `unchanged` when the reason was not there (nothing to write).
 */
export function withoutReason(
  current: Suspension | null | undefined,
  reason: SuspensionReason,
): { unchanged: true } | { unchanged: false; suspension: Suspension | null } {
  if (!current?.reasons.includes(reason)) return { unchanged: true };
  const reasons = current.reasons.filter((r) => r !== reason);
  return { unchanged: false, suspension: reasons.length > 0 ? { ...current, reasons } : null };
}

/**
 * What an account's view shows: its own reasons with its company's, suspended since the earlier
 * of the two. Null when neither is suspended.
 */
export function combinedSuspension(
  own: Suspension | null | undefined,
  company: Suspension | null | undefined,
): Suspension | null {
  const parts = [own, company].filter((s): s is Suspension => isSuspended(s));
  if (parts.length === 0) return null;
  return {
    reasons: ordered(parts.flatMap((s) => s.reasons)),
    since: parts.map((s) => s.since).sort()[0] as string,
  };
}

/**
 * A company admin reads but does not change anything while its company is suspended; an account
 * suspended on its own is not changed by the company admin either (the partner suspended it, so
 * the partner lifts, resizes or cancels it). The partner itself is never held back.
 */
export function assertCompanyAdminMayWrite(
  asCompanyAdmin: boolean,
  company: { suspension?: Suspension | null } | null,
  account?: { suspension?: Suspension | null } | null,
): void {
  if (!asCompanyAdmin) return;
  if (isSuspended(company?.suspension)) throw companySuspended();
  if (isSuspended(account?.suspension)) throw accountSuspended();
}

export type SuspensionAction = 'suspend' | 'reactivate';

/** The object as read, the reason and what to do with it. */
export interface SuspensionInput<T> {
  target: T | null;
  reason: SuspensionReason;
  action: SuspensionAction;
  now: Date;
}

export type SuspensionPlan<T> =
  /** Nothing to write: the reason is there already (suspend) or not there (reactivate). */
  | { unchanged: true; target: T }
  | {
      unchanged: false;
      before: T;
      after: T;
      /** The `updatedAt` written, strictly later than the one read (the write's condition). */
      at: string;
    };

interface Suspendable {
  status: string;
  suspension?: Suspension | null;
  updatedAt: string;
}

function planSuspension<T extends Suspendable>(
  input: SuspensionInput<T>,
  onCancelled: () => Error,
): SuspensionPlan<T> {
  const { target, reason, action, now } = input;
  if (!target) throw new Error('planSuspension needs a target');
  if (target.status === 'cancelled') throw onCancelled();
  const at = new Date(Math.max(now.getTime(), Date.parse(target.updatedAt) + 1)).toISOString();
  let suspension: Suspension | null;
  if (action === 'suspend') {
    const added = withReason(target.suspension, reason, at);
    if (!added) return { unchanged: true, target };
    suspension = added;
  } else {
    const removed = withoutReason(target.suspension, reason);
    if (removed.unchanged) return { unchanged: true, target };
    suspension = removed.suspension;
  }
  return { unchanged: false, before: target, after: { ...target, suspension, updatedAt: at }, at };
}

/** A company's suspension; a cancelled company is suspended or reactivated no more. */
export function planCompanySuspension<T extends Suspendable>(
  input: SuspensionInput<T>,
): SuspensionPlan<T> {
  if (!input.target) throw notFound('Company');
  return planSuspension(input, companyCancelled);
}

/**
 * An account's own suspension: its company's reasons are not its own, so reactivating one of
 * those on the account changes nothing (the company is reactivated instead).
 */
export function planAccountSuspension<T extends Suspendable>(
  input: SuspensionInput<T> & { company: Suspendable | null },
): SuspensionPlan<T> {
  if (!input.target || !input.company) throw notFound('Account');
  return planSuspension(input, accountCancelled);
}
