import type * as z from 'zod/mini';
import type { accountResponse, featuresResponse } from '#lib/api/responses.ts';
import type { Suspension } from './suspension.ts';

export const PLAN_NAMES = ['trial', 'basic', 'select'] as const;
export type PlanName = (typeof PLAN_NAMES)[number];

export const TRIAL_DEFAULT_QUOTA_MB = 512;

export interface PlanDefinition {
  /** Open-file backup on server operating systems; every plan backs up open files on desktops. */
  openFileBackupOnServers: boolean;
  versioning: boolean;
  defaultHardQuotaMb: number | null;
  /** Whether the plan's accounts draw on the company pool. */
  pooled: boolean;
}

/** SPEC §2.1: the backup software is the same; the plan decides features and defaults. */
export const PLANS: Record<PlanName, PlanDefinition> = {
  trial: {
    openFileBackupOnServers: true,
    versioning: true,
    defaultHardQuotaMb: TRIAL_DEFAULT_QUOTA_MB,
    pooled: false,
  },
  basic: {
    openFileBackupOnServers: false,
    versioning: false,
    defaultHardQuotaMb: null,
    pooled: true,
  },
  select: {
    openFileBackupOnServers: true,
    versioning: true,
    defaultHardQuotaMb: null,
    pooled: true,
  },
};

export interface CompanyAddOns {
  licenses: { egr: number; spV5: number };
  endGuard: boolean;
  /** The company's suspension, which its accounts' views combine with their own. */
  suspension?: Suspension | null;
}

export type AccountStatus = z.output<typeof accountResponse>['status'];

/**
 * What the backup agent is given (SPEC §2.1). Basic gates open-file backup on server operating
 * systems only; `backupsAllowed` is what the agent checks: an expired, suspended or cancelled account takes
 * no backups.
 */
export type Features = z.output<typeof featuresResponse>;

export function featuresFor(
  plan: PlanName,
  addOns: CompanyAddOns,
  status: AccountStatus,
  suspended = false,
): Features {
  const definition = PLANS[plan];
  return {
    openFileBackupOnServers: definition.openFileBackupOnServers,
    versioning: definition.versioning,
    endGuard: addOns.endGuard,
    egrLicenses: addOns.licenses.egr,
    spV5Licenses: addOns.licenses.spV5,
    backupsAllowed: status === 'active' && !suspended,
  };
}
