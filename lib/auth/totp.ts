/**
 * TOTP codes (RFC 6238: SHA-1, 30-second steps, 6 digits) through the otpauth library. A code is
 * accepted within one step either side of now, and only for a step later than the last one
 * accepted: the caller stores that step with a conditional write, so a code is used once.
 */
import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_SECONDS = 30;
const WINDOW_STEPS = 1;

const totp = (secret: string, label = 'staff', issuer = 'Backup provisioning') =>
  new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });

/** A new secret of 160 random bits, in base32 as authenticator apps take it. */
export const newTotpSecret = (): string => new Secret({ size: 20 }).base32;

/** The `otpauth://` URL an authenticator app reads (as a QR code) to enrol the secret. */
export const otpauthUrl = (secret: string, label: string, issuer: string): string =>
  totp(secret, label, issuer).toString();

export const stepAt = (nowMs: number): number => Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);

/**
 * The step `code` belongs to if it is valid now and newer than `lastAcceptedStep`, else null.
 * A code of the wrong shape is never valid.
 */
export function acceptedStep(
  secret: string,
  code: string,
  nowMs: number,
  lastAcceptedStep: number | null,
): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totp(secret).validate({ token: code, timestamp: nowMs, window: WINDOW_STEPS });
  if (delta === null) return null;
  const step = stepAt(nowMs) + delta;
  return lastAcceptedStep !== null && step <= lastAcceptedStep ? null : step;
}

/** The code of `secret` at `nowMs`: for tests and the e2e walkthrough, as an app would show. */
export const codeAt = (secret: string, nowMs: number): string =>
  totp(secret).generate({ timestamp: nowMs });
