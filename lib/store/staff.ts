/**
 * A partner's staff. Each member is an item in the partner's partition (so the partner's staff
 * are one Query) and a global e-mail marker, written in one transaction, so an e-mail belongs to
 * at most one staff member of any partner and a login finds its holder by one GetItem. The
 * partner item counts its active owners: every change that adds or takes away an owner moves the
 * counter in the same transaction, conditioned on it, so two concurrent demotions of the last
 * two owners cannot both pass.
 */
import { conflict, lastOwner, staffEmailTaken } from '#lib/errors.ts';
import type { StaffRole } from '#lib/rules/staff.ts';
import { ownerCountChange, STAFF_ROLES } from '#lib/rules/staff.ts';
import { isEntity } from './items.ts';
import { ENTITY, keys } from './keys.ts';
import {
  getItem,
  type Item,
  type Page,
  queryPage,
  type WriteStep,
  write,
  writeItem,
} from './table.ts';

export type StaffStatus = 'active' | 'removed';

/** A staff member as the API shows it: never a secret, nor a hash of one. */
export interface Staff {
  id: string;
  partnerId: string;
  email: string;
  fullName: string;
  role: StaffRole;
  status: StaffStatus;
  mfaEnabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A garbled role reads as the least privilege, never as more. */
const roleOf = (value: unknown): StaffRole =>
  STAFF_ROLES.includes(value as StaffRole) ? (value as StaffRole) : 'billing';

export function staffFromItem(item: Item): Staff {
  return {
    id: String(item.id ?? ''),
    partnerId: String(item.partnerId ?? ''),
    email: String(item.email ?? ''),
    fullName: String(item.fullName ?? ''),
    role: roleOf(item.role),
    status: item.status === 'active' ? 'active' : 'removed',
    mfaEnabled: item.mfaEnabled === true,
    createdAt: String(item.createdAt ?? ''),
    updatedAt: String(item.updatedAt ?? ''),
  };
}

function staffToItem(staff: Staff): Item {
  return {
    ...keys.staff(staff.partnerId, staff.id),
    entity: ENTITY.staff,
    ...staff,
    // No password yet: the member cannot sign in until one is issued to them.
    passwordHash: null,
    passwordIssuedAt: null,
    mustChangePassword: true,
    sessionVersion: 1,
  };
}

/** The owner counter's step for a change moving it by `delta`; none for no move. */
function ownerCounterStep(partnerId: string, delta: -1 | 0 | 1): WriteStep[] {
  if (delta === 0) return [];
  if (delta === 1) {
    return [
      {
        item: write.update(
          keys.partner(partnerId),
          'SET activeOwners = if_not_exists(activeOwners, :zero) + :one',
          { ':zero': 0, ':one': 1 },
          { condition: 'attribute_exists(PK)' },
        ),
      },
    ];
  }
  return [
    {
      item: write.update(
        keys.partner(partnerId),
        'SET activeOwners = activeOwners - :one',
        { ':one': 1 },
        { condition: 'activeOwners > :one' },
      ),
      onConditionFailed: () => lastOwner(),
    },
  ];
}

/**
 * A new staff member with its e-mail marker; the e-mail must be free among all staff. An owner
 * moves the partner's counter, unless the partner item is written in the same transaction and
 * counts it itself (`countOwner: false`).
 */
export function newStaffSteps(staff: Staff, { countOwner } = { countOwner: true }): WriteStep[] {
  return [
    { item: write.put(staffToItem(staff), 'attribute_not_exists(PK)') },
    {
      item: write.put(
        {
          ...keys.staffEmail(staff.email),
          entity: ENTITY.staffEmail,
          partnerId: staff.partnerId,
          staffId: staff.id,
        },
        'attribute_not_exists(PK)',
      ),
      onConditionFailed: () => staffEmailTaken(),
    },
    ...(countOwner ? ownerCounterStep(staff.partnerId, ownerCountChange(null, staff.role)) : []),
  ];
}

/** The condition that a member is still active with the role it was read with. */
const asRead = (before: Staff) => ({
  values: { ':before': before.role, ':active': 'active' },
  options: {
    condition: '#role = :before AND #status = :active',
    names: { '#role': 'role', '#status': 'status' },
  },
});

/**
 * A change of role or name of an active member as it was read (`before`): a concurrent change
 * of its role answers CONFLICT rather than moving the owner counter twice. A new role ends the
 * member's sessions (the session version moves on).
 */
export function changeStaffSteps(
  before: Staff,
  change: { role: StaffRole; fullName: string },
  updatedAt: string,
): WriteStep[] {
  const roleChanged = change.role !== before.role;
  return [
    {
      item: write.update(
        keys.staff(before.partnerId, before.id),
        `SET #role = :role, fullName = :name, updatedAt = :at${roleChanged ? ', sessionVersion = sessionVersion + :one' : ''}`,
        {
          ':role': change.role,
          ':name': change.fullName,
          ':at': updatedAt,
          ...asRead(before).values,
          ...(roleChanged ? { ':one': 1 } : {}),
        },
        asRead(before).options,
      ),
      onConditionFailed: () => conflict(),
    },
    ...ownerCounterStep(before.partnerId, ownerCountChange(before.role, change.role)),
  ];
}

/**
 * Removes an active member as it was read: its sessions end (the version moves on), and its
 * e-mail is freed for a later invitation. The item stays, as the record the audit names.
 */
export function removeStaffSteps(before: Staff, updatedAt: string): WriteStep[] {
  return [
    {
      item: write.update(
        keys.staff(before.partnerId, before.id),
        'SET #status = :removed, updatedAt = :at, sessionVersion = sessionVersion + :one',
        {
          ':removed': 'removed',
          ':at': updatedAt,
          ':one': 1,
          ...asRead(before).values,
        },
        asRead(before).options,
      ),
      onConditionFailed: () => conflict(),
    },
    { item: write.delete(keys.staffEmail(before.email)) },
    ...ownerCounterStep(before.partnerId, ownerCountChange(before.role, null)),
  ];
}

export async function findStaff(partnerId: string, staffId: string): Promise<Staff | null> {
  const item = await getItem(keys.staff(partnerId, staffId));
  return isEntity(item, ENTITY.staff) ? staffFromItem(item) : null;
}

export async function listStaff(
  partnerId: string,
  limit: number,
  cursor: string | undefined,
): Promise<Page<Staff>> {
  const { PK, skPrefix } = keys.staffOf(partnerId);
  const page = await queryPage({ pk: PK, skPrefix, limit, cursor });
  return { items: page.items.map(staffFromItem), nextCursor: page.nextCursor };
}

/** The partner's active owners as its counter holds them (0 before any owner was added). */
export async function activeOwnerCount(partnerId: string): Promise<number> {
  const item = await getItem(keys.partner(partnerId));
  return typeof item?.activeOwners === 'number' ? item.activeOwners : 0;
}

/**
 * What sign-in reads of a member besides its view: the password's hash, the session version and
 * the second factor, which stay in lib/store and the sign-in use cases (never in a reply or a
 * log). The TOTP secrets are stored encrypted (lib/auth/staff-secrets.ts), the recovery codes as
 * keyed hashes.
 */
export interface StaffCredentials {
  staff: Staff;
  passwordHash: string | null;
  passwordIssuedAt: string | null;
  mustChangePassword: boolean;
  sessionVersion: number;
  totpSecret: string | null;
  pendingTotpSecret: string | null;
  lastTotpStep: number | null;
  recoveryCodeHashes: string[];
}

const textOrNull = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : null;

export function credentialsFromItem(item: Item): StaffCredentials {
  const hashes = item.recoveryCodeHashes;
  return {
    staff: staffFromItem(item),
    passwordHash: textOrNull(item.passwordHash),
    passwordIssuedAt: textOrNull(item.passwordIssuedAt),
    // Anything but an explicit false keeps the restriction.
    mustChangePassword: item.mustChangePassword !== false,
    sessionVersion: typeof item.sessionVersion === 'number' ? item.sessionVersion : 0,
    totpSecret: textOrNull(item.totpSecret),
    pendingTotpSecret: textOrNull(item.pendingTotpSecret),
    lastTotpStep: typeof item.lastTotpStep === 'number' ? item.lastTotpStep : null,
    recoveryCodeHashes:
      hashes instanceof Set
        ? [...hashes].map(String)
        : Array.isArray(hashes)
          ? hashes.map(String)
          : [],
  };
}

/**
 * The member an e-mail names, for a login: the e-mail marker, then the member's item. An unknown
 * e-mail reads a key that never exists in the second read: the same requests, the same time.
 */
export async function loadStaffLogin(email: string): Promise<StaffCredentials | null> {
  const marker = await getItem(keys.staffEmail(email));
  const known = isEntity(marker, ENTITY.staffEmail);
  const item = await getItem(
    keys.staff(known ? String(marker.partnerId) : '-', known ? String(marker.staffId) : '-'),
  );
  return known && isEntity(item, ENTITY.staff) ? credentialsFromItem(item) : null;
}

export async function findStaffCredentials(
  partnerId: string,
  staffId: string,
): Promise<StaffCredentials | null> {
  const item = await getItem(keys.staff(partnerId, staffId));
  return isEntity(item, ENTITY.staff) ? credentialsFromItem(item) : null;
}

/**
 * Sets a member's password hash (an invitation's temporary one, or one the member chose) and
 * moves its session version on, so every session opened before ends. With `asRead`, only if the
 * password and the session version are still those the request was checked against.
 */
export function setStaffPasswordStep(
  staff: Staff,
  passwordHash: string,
  issuedAt: string,
  mustChangePassword: boolean,
  options: { asRead?: StaffCredentials } = {},
): WriteStep {
  const read = options.asRead;
  return {
    item: write.update(
      keys.staff(staff.partnerId, staff.id),
      'SET passwordHash = :hash, passwordIssuedAt = :at, mustChangePassword = :must, updatedAt = :at, sessionVersion = sessionVersion + :one',
      {
        ':hash': passwordHash,
        ':at': issuedAt,
        ':must': mustChangePassword,
        ':one': 1,
        ':active': 'active',
        ...(read ? { ':before': read.passwordIssuedAt, ':version': read.sessionVersion } : {}),
      },
      {
        condition: `#status = :active${read ? ' AND passwordIssuedAt = :before AND sessionVersion = :version' : ''}`,
        names: { '#status': 'status' },
      },
    ),
    onConditionFailed: () => conflict(),
  };
}

/** Whether the member is still active with the session version read. */
const stillAsRead = (credentials: StaffCredentials) => ({
  values: { ':active': 'active', ':version': credentials.sessionVersion },
  condition: '#status = :active AND sessionVersion = :version',
  names: { '#status': 'status' },
});

/**
 * Records `step` as the last TOTP step accepted, only if it is later than any accepted before:
 * of two logins racing with one code, one writes and the other is refused. False when refused.
 */
export async function acceptTotpStep(
  credentials: StaffCredentials,
  step: number,
): Promise<boolean> {
  const { staff } = credentials;
  const asRead = stillAsRead(credentials);
  const written = await writeItem(
    write.update(
      keys.staff(staff.partnerId, staff.id),
      'SET lastTotpStep = :step',
      { ...asRead.values, ':step': step },
      {
        condition: `${asRead.condition} AND (attribute_not_exists(lastTotpStep) OR lastTotpStep < :step)`,
        names: asRead.names,
      },
    ),
  );
  return written.written;
}

/** Takes a recovery code's hash out of the member's set: true for the one request that did. */
export async function useRecoveryCode(
  credentials: StaffCredentials,
  codeHash: string,
): Promise<boolean> {
  const { staff } = credentials;
  const asRead = stillAsRead(credentials);
  const written = await writeItem(
    write.update(
      keys.staff(staff.partnerId, staff.id),
      'DELETE recoveryCodeHashes :used',
      { ...asRead.values, ':used': new Set([codeHash]), ':hash': codeHash },
      {
        condition: `${asRead.condition} AND contains(recoveryCodeHashes, :hash)`,
        names: asRead.names,
      },
    ),
  );
  return written.written;
}

/** A new pending TOTP secret (encrypted), replacing any earlier one, while MFA is not on. */
export function pendingTotpSecretStep(
  credentials: StaffCredentials,
  encryptedSecret: string,
  at: string,
): WriteStep {
  const { staff } = credentials;
  const asRead = stillAsRead(credentials);
  return {
    item: write.update(
      keys.staff(staff.partnerId, staff.id),
      'SET pendingTotpSecret = :secret, updatedAt = :at',
      { ...asRead.values, ':secret': encryptedSecret, ':at': at, ':false': false },
      {
        condition: `${asRead.condition} AND (attribute_not_exists(mfaEnabled) OR mfaEnabled = :false)`,
        names: asRead.names,
      },
    ),
    onConditionFailed: () => conflict(),
  };
}

/**
 * Makes the pending secret, as it was read, the active one: MFA on, the confirming code's step
 * recorded and the recovery codes' hashes stored.
 */
export function confirmTotpSecretStep(
  credentials: StaffCredentials,
  change: { step: number; recoveryCodeHashes: string[]; at: string },
): WriteStep {
  const { staff } = credentials;
  const asRead = stillAsRead(credentials);
  return {
    item: write.update(
      keys.staff(staff.partnerId, staff.id),
      'SET totpSecret = pendingTotpSecret, mfaEnabled = :true, lastTotpStep = :step, recoveryCodeHashes = :hashes, updatedAt = :at REMOVE pendingTotpSecret',
      {
        ...asRead.values,
        ':true': true,
        ':false': false,
        ':step': change.step,
        ':hashes': new Set(change.recoveryCodeHashes),
        ':at': change.at,
        ':pending': credentials.pendingTotpSecret,
      },
      {
        condition: `${asRead.condition} AND (attribute_not_exists(mfaEnabled) OR mfaEnabled = :false) AND pendingTotpSecret = :pending`,
        names: asRead.names,
      },
    ),
    onConditionFailed: () => conflict(),
  };
}
