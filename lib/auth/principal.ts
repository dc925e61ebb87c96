/**
 * Who is calling, as resolved by the authorizer. API Gateway passes the authorizer's context to
 * the handler; everything else about the caller is derived from it here.
 */
export interface PartnerPrincipal {
  kind: 'partner';
  partnerId: string;
  partnerName: string;
  fineIncrements: boolean;
  /** The key the call came with; `id` is empty for a key made before keys had ids. */
  key: { id: string; scope: 'full' | 'read' };
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
        keyId: principal.key.id,
        keyScope: principal.key.scope,
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
    return {
      kind: 'partner',
      partnerId: text(c.partnerId),
      partnerName: text(c.partnerName),
      fineIncrements: flag(c.fineIncrements),
      // Anything but an explicit `full` reads as `read`, so a garbled scope never grants more.
      key: { id: text(c.keyId), scope: c.keyScope === 'full' ? 'full' : 'read' },
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
      ? { kind: 'companyAdmin', ...session, actingPartnerId: text(c.actingPartnerId) || null }
      : { kind: 'backupUser', ...session };
  }
  if (c.kind === 'storage') return { kind: 'storage' };
  return { kind: 'anonymous' };
}
