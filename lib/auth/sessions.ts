/**
 * Session tokens: short-lived HS256 JWTs (jose). A token names the account, its company and
 * partner, its role, whether it came from a temporary password, and, for "login as company
 * admin", the partner acting (RFC 8693 `act`). `pwi` is when the password the session was
 * opened with was issued: a password change or reset makes every earlier session invalid.
 */
import { createHmac } from 'node:crypto';
import { decodeJwt, errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { SessionRole } from './principal.ts';
import { signingKey } from './signing-key.ts';

const ISSUER = 'backup-provisioning';
const AUDIENCE = 'backup-provisioning-api';
const ALGORITHM = 'HS256';

/** A login session; short because a token cannot be recalled before it expires. */
export const SESSION_TTL_SECONDS = 30 * 60;
/** SPEC §3: "login as company admin" lasts at most one hour. */
export const IMPERSONATION_TTL_SECONDS = 60 * 60;

export interface SessionClaims {
  role: SessionRole;
  partnerId: string;
  companyId: string;
  accountId: string;
  mustChangePassword: boolean;
  /** The partner holding an impersonation session; null for a login. */
  actingPartnerId: string | null;
  /** The partner's staff member holding the impersonation, when one does; null otherwise. */
  actingStaffId: string | null;
  /**
   * That member's session version when the impersonation began: a role change, removal or
   * password change of the member moves it on and ends the impersonation with its own sessions.
   */
  actingStaffSessionVersion?: number;
  /** Issue time of the password the session was opened with; null for an impersonation. */
  passwordIssuedAt: string | null;
}

export interface IssuedSession {
  token: string;
  expiresAt: string;
}

export async function issueSession(
  claims: SessionClaims,
  now: Date,
  ttlSeconds: number,
): Promise<IssuedSession> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = issuedAt + ttlSeconds;
  const token = await new SignJWT({
    role: claims.role,
    pid: claims.partnerId,
    cid: claims.companyId,
    mcp: claims.mustChangePassword,
    ...(claims.passwordIssuedAt ? { pwi: claims.passwordIssuedAt } : {}),
    ...(claims.actingPartnerId
      ? {
          act: {
            sub: `partner:${claims.actingPartnerId}`,
            ...(claims.actingStaffId ? { stf: claims.actingStaffId } : {}),
            ...(claims.actingStaffId && claims.actingStaffSessionVersion !== undefined
              ? { ssv: claims.actingStaffSessionVersion }
              : {}),
          },
        }
      : {}),
  })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(claims.accountId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(await signingKey());
  return { token, expiresAt: new Date(expiresAt * 1000).toISOString() };
}

/**
 * A token without its signature: its header and claims, which are no secret and open nothing.
 * What an idempotent reply is stored with, so that no usable token is ever stored.
 */
export function withoutSignature(token: string): string {
  return token.slice(0, token.lastIndexOf('.'));
}

/** A header and claims without a signature, as `withoutSignature` leaves them. */
export const isUnsigned = (value: string): boolean =>
  /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value);

/**
 * Signs a token's header and claims again: HS256 is an HMAC over them, so this gives back the
 * very token first issued (while the key is the same), without that token having been stored.
 */
export async function signAgain(unsigned: string): Promise<string> {
  const signature = createHmac('sha256', await signingKey())
    .update(unsigned)
    .digest('base64url');
  return `${unsigned}.${signature}`;
}

/** A JWT has three base64url parts; API keys start with pk_/sk_. */
export const looksLikeSessionToken = (token: string): boolean =>
  /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);

export interface VerifiedSession extends SessionClaims {
  expiresAtSeconds: number;
}

/** The token's claims if its signature, issuer, audience and expiry hold; otherwise null. */
export async function verifySession(
  token: string,
  now = new Date(),
): Promise<VerifiedSession | null> {
  const payload = await verifiedClaims(token, now, ['cid']);
  if (!payload) return null;
  const role = payload.role;
  if (role !== 'companyAdmin' && role !== 'backupUser') return null;
  if (!named(payload.sub) || !named(payload.pid) || !named(payload.cid)) return null;
  const act = payload.act as { sub?: unknown; stf?: unknown; ssv?: unknown } | undefined;
  const actor = act?.sub;
  const actingPartnerId =
    typeof actor === 'string' && actor.startsWith('partner:') ? actor.slice(8) : null;
  const actingStaffId = actingPartnerId !== null && named(act?.stf) ? act.stf : null;
  const staffVersion = actingStaffId !== null ? act?.ssv : undefined;
  if (actingPartnerId !== null && (role !== 'companyAdmin' || actingPartnerId !== payload.pid)) {
    return null;
  }
  return {
    role,
    partnerId: payload.pid,
    companyId: payload.cid,
    accountId: payload.sub,
    mustChangePassword: payload.mcp === true,
    actingPartnerId,
    actingStaffId,
    passwordIssuedAt: typeof payload.pwi === 'string' ? payload.pwi : null,
    ...(typeof staffVersion === 'number' && Number.isInteger(staffVersion)
      ? { actingStaffSessionVersion: staffVersion }
      : {}),
    expiresAtSeconds: payload.exp as number,
  };
}

const named = (value: unknown): value is string => typeof value === 'string' && value !== '';

/**
 * The claims of a token whose signature, issuer, audience and expiry hold and which carries
 * `sub`, `role`, `pid` and the `extra` claims; null otherwise.
 */
async function verifiedClaims(
  token: string,
  now: Date,
  extra: string[],
): Promise<JWTPayload | null> {
  if (!looksLikeSessionToken(token)) return null;
  try {
    const { payload } = await jwtVerify(token, await signingKey(), {
      algorithms: [ALGORITHM],
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: now,
      requiredClaims: ['sub', 'exp', 'role', 'pid', ...extra],
    });
    return payload;
  } catch (error) {
    // A bad or expired token is an anonymous caller; anything else (no key) is a real fault.
    if (error instanceof errors.JOSEError) return null;
    throw error;
  }
}

/**
 * A staff member's session: role `staff`, the member as `sub`, its partner as `pid` and the
 * member's session version at issue as `sv`. Everything else about the member (role, whether a
 * password change or MFA enrolment is due) is read from its item on every request, so a role
 * change, removal or password change (each moves the version on) ends the session at once, and
 * an enrolment opens the rest of the API to the same token.
 */
export interface StaffSessionClaims {
  partnerId: string;
  staffId: string;
  sessionVersion: number;
}

export interface VerifiedStaffSession extends StaffSessionClaims {
  expiresAtSeconds: number;
}

export const STAFF_SESSION_ROLE = 'staff';

export async function issueStaffSession(
  claims: StaffSessionClaims,
  now: Date,
  ttlSeconds = SESSION_TTL_SECONDS,
): Promise<IssuedSession> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = issuedAt + ttlSeconds;
  const token = await new SignJWT({
    role: STAFF_SESSION_ROLE,
    pid: claims.partnerId,
    sv: claims.sessionVersion,
  })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(claims.staffId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(await signingKey());
  return { token, expiresAt: new Date(expiresAt * 1000).toISOString() };
}

/** A staff session's claims if its signature, issuer, audience, expiry and shape hold. */
export async function verifyStaffSession(
  token: string,
  now = new Date(),
): Promise<VerifiedStaffSession | null> {
  const payload = await verifiedClaims(token, now, ['sv']);
  if (payload?.role !== STAFF_SESSION_ROLE) return null;
  if (!named(payload.sub) || !named(payload.pid)) return null;
  if (typeof payload.sv !== 'number' || !Number.isInteger(payload.sv)) return null;
  return {
    partnerId: payload.pid,
    staffId: payload.sub,
    sessionVersion: payload.sv,
    expiresAtSeconds: payload.exp as number,
  };
}

/** Whether a token claims to be a staff session; says nothing of its validity. */
export function claimsStaffRole(token: string): boolean {
  try {
    return decodeJwt(token).role === STAFF_SESSION_ROLE;
  } catch {
    return false;
  }
}
