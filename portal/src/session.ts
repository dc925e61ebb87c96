/**
 * Where the bearer token lives: sessionStorage (see docs/portal.md). It survives a reload of the
 * tab but not the tab itself, and it is never shared with other tabs or written to disk by us.
 */
export type SessionKind = 'partner' | 'companyAdmin' | 'backupUser';

export interface Session {
  token: string;
  /** ISO time; null for a partner API key, which does not expire. */
  expiresAt: string | null;
  kind: SessionKind;
  /** The company a company-admin session belongs to. */
  companyId?: string;
  /** Who signed in (shown in the header, and in the resume banner). */
  label: string;
  mustChangePassword?: boolean;
  /** A staff session before TOTP enrolment may do nothing but enrol (SPEC §7). */
  mfaEnrolled?: boolean;
  /** A staff member's role (SPEC §7); a full partner key acts as an owner would. */
  role?: 'owner' | 'admin' | 'operator' | 'billing';
  /** The partner's name (GET /v1/partner), for the resume banner. */
  partnerName?: string;
  /** While a partner acts as a company admin: the partner's own session, to resume. */
  resume?: Session;
}

const KEY = 'portal.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    return expired(session) ? null : session;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}

/** Whether the session must first change its password or enrol TOTP. */
export const restricted = (session: Session) =>
  !!session.mustChangePassword || session.mfaEnrolled === false;

export function expired(session: Session, now = Date.now()): boolean {
  return session.expiresAt !== null && Date.parse(session.expiresAt) <= now;
}
