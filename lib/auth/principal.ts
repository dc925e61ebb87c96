/**
 * Who is calling, as resolved by the authorizer. API Gateway passes the authorizer's context to
 * the handler; everything else about the caller is derived from it here.
 */
export type StaffRole = 'owner' | 'admin' | 'operator' | 'billing';
export const STAFF_ROLES = [
  'owner',
  'admin',
  'operator',
  'billing',
] as const satisfies readonly StaffRole[];

export interface PartnerPrincipal {
  kind: 'partner';
  partnerId: string;
  partnerName: string;
  fineIncrements: boolean;
  /** Who holds the partner's access: one of its API keys, or a staff member signed in. */
  via:
    | { type: 'key'; id: string; scope: 'full' | 'read' } // id '' for a legacy key
    | {
        type: 'staff';
        id: string;
        role: StaffRole;
        mustChangePassword: boolean;
        mfaEnrolled: boolean;
        expiresAtSeconds: number;
      };
}

/** What every session (from a login or an impersonation) names. */
interface SessionFields {
  partnerId: string;
  partnerName: string;
  fineIncrements: boolean;
  companyId: string;
  /** The account logged in; for an impersonation, the company's admin account. */
  accountId: string;
  /** The session came from a temporary password: only the password change is open to it. */
  mustChangePassword: boolean;
  /**
   * When the token expires (seconds since the epoch). Checked again by the handler: API Gateway
   * may serve a cached authorization of the token after that.
   */
  expiresAtSeconds: number;
}

/** A company's admin account logged in, or a partner acting as it ("login as company admin"). */
export interface CompanyAdminPrincipal extends SessionFields {
  kind: 'companyAdmin';
  /** Set when a partner holds this session through impersonation. */
  actingPartnerId: string | null;
  /** Set when the impersonation is held by one of the partner's staff members. */
  actingStaffId: string | null;
}

export interface BackupUserPrincipal extends SessionFields {
  kind: 'backupUser';
}

export interface StoragePrincipal {
  kind: 'storage';
}

export interface AnonymousPrincipal {
  kind: 'anonymous';
}

export type SessionPrincipal = CompanyAdminPrincipal | BackupUserPrincipal;
export type Principal = PartnerPrincipal | SessionPrincipal | StoragePrincipal | AnonymousPrincipal;
export type PrincipalKind = Principal['kind'];
export type SessionRole = SessionPrincipal['kind'];

export const isSession = (principal: Principal): principal is SessionPrincipal =>
  principal.kind === 'companyAdmin' || principal.kind === 'backupUser';

/**
 * Who an operation admits, finer than the principal's kind: a partner's caller is one of its
 * staff roles or one of its key scopes.
 */
export type CallerKind = StaffRole | 'fullKey' | 'readKey' | Exclude<PrincipalKind, 'partner'>;

export const PARTNER_CALLER_KINDS = [
  'owner',
  'admin',
  'operator',
  'billing',
  'fullKey',
  'readKey',
] as const satisfies readonly CallerKind[];
export type PartnerCallerKind = (typeof PARTNER_CALLER_KINDS)[number];

export function callerKind(principal: Principal): CallerKind {
  if (principal.kind !== 'partner') return principal.kind;
  if (principal.via.type === 'staff') return principal.via.role;
  return principal.via.scope === 'full' ? 'fullKey' : 'readKey';
}

/** The stable name an audit entry gives the partner's caller. */
export function partnerActor(principal: PartnerPrincipal): string {
  if (principal.via.type === 'staff') return `staff:${principal.via.id}`;
  // A key made before keys had ids can only be named by its partner.
  return principal.via.id ? `key:${principal.via.id}` : `partner:${principal.partnerId}`;
}

/** The authorizer context is flat strings/booleans: API Gateway caches and forwards it as is. */
export type AuthorizerContext = Record<string, string | boolean | number>;

export function toAuthorizerContext(principal: Principal): AuthorizerContext {
  switch (principal.kind) {
    case 'partner':
      return {
        kind: 'partner',
        partnerId: principal.partnerId,
        partnerName: principal.partnerName,
        fineIncrements: principal.fineIncrements,
        ...(principal.via.type === 'key'
          ? { via: 'key', keyId: principal.via.id, keyScope: principal.via.scope }
          : {
              via: 'staff',
              staffId: principal.via.id,
              staffRole: principal.via.role,
              mustChangePassword: principal.via.mustChangePassword,
              mfaEnrolled: principal.via.mfaEnrolled,
              expiresAtSeconds: principal.via.expiresAtSeconds,
            }),
      };
    case 'companyAdmin':
    case 'backupUser':
      return {
        kind: principal.kind,
        partnerId: principal.partnerId,
        partnerName: principal.partnerName,
        fineIncrements: principal.fineIncrements,
        companyId: principal.companyId,
        accountId: principal.accountId,
        mustChangePassword: principal.mustChangePassword,
        expiresAtSeconds: principal.expiresAtSeconds,
        // The context holds no nulls: an empty string means "not impersonated".
        actingPartnerId: principal.kind === 'companyAdmin' ? (principal.actingPartnerId ?? '') : '',
        actingStaffId: principal.kind === 'companyAdmin' ? (principal.actingStaffId ?? '') : '',
      };
    case 'storage':
      return { kind: 'storage' };
    default:
      return { kind: 'anonymous' };
  }
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const flag = (value: unknown) => value === true || value === 'true';

export function fromAuthorizerContext(context: unknown): Principal {
  if (!context || typeof context !== 'object') return { kind: 'anonymous' };
  const c = context as Record<string, unknown>;
  if (c.kind === 'partner' && text(c.partnerId)) {
    // A staff session that names nobody cannot be audited or ended: it opens nothing.
    if (c.via === 'staff' && !text(c.staffId)) return { kind: 'anonymous' };
    return {
      kind: 'partner',
      partnerId: text(c.partnerId),
      partnerName: text(c.partnerName),
      fineIncrements: flag(c.fineIncrements),
      via:
        c.via === 'staff'
          ? {
              type: 'staff',
              id: text(c.staffId),
              // A garbled role reads as the least privilege, so it never grants more.
              role: STAFF_ROLES.find((role) => role === c.staffRole) ?? 'billing',
              mustChangePassword: flag(c.mustChangePassword),
              mfaEnrolled: flag(c.mfaEnrolled),
              expiresAtSeconds: Number(c.expiresAtSeconds) || 0,
            }
          : // Anything but an explicit `full` reads as `read`, so a garbled scope never grants more.
            { type: 'key', id: text(c.keyId), scope: c.keyScope === 'full' ? 'full' : 'read' },
    };
  }
  if ((c.kind === 'companyAdmin' || c.kind === 'backupUser') && text(c.partnerId)) {
    if (!text(c.companyId) || !text(c.accountId)) return { kind: 'anonymous' };
    const session: SessionFields = {
      partnerId: text(c.partnerId),
      partnerName: text(c.partnerName),
      fineIncrements: flag(c.fineIncrements),
      companyId: text(c.companyId),
      accountId: text(c.accountId),
      mustChangePassword: flag(c.mustChangePassword),
      expiresAtSeconds: Number(c.expiresAtSeconds) || 0,
    };
    return c.kind === 'companyAdmin'
      ? {
          kind: 'companyAdmin',
          ...session,
          actingPartnerId: text(c.actingPartnerId) || null,
          actingStaffId: text(c.actingStaffId) || null,
        }
      : { kind: 'backupUser', ...session };
  }
  if (c.kind === 'storage') return { kind: 'storage' };
  return { kind: 'anonymous' };
}
