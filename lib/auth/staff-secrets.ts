/**
 * A staff member's second factor at rest: the TOTP secret encrypted (AES-256-GCM, its key
 * derived by HKDF-SHA256 from the session signing secret, the member's id as associated data,
 * so a secret copied onto another member's item does not decrypt), and recovery codes kept as
 * keyed hashes. The table alone reveals neither. Rotating the signing secret makes enrolled
 * secrets unreadable: those members enrol again (the encryption key is derived from it).
 */
import { createHmac } from 'node:crypto';
import { Secret } from 'otpauth';
import { derivedKey, seal, unseal } from './sealed.ts';

/** `v1.<iv>.<ciphertext>.<tag>`, each part base64url (./sealed.ts). */
export const encryptTotpSecret = (staffId: string, secret: string): Promise<string> =>
  seal('totp-secret', staffId, secret);

/** The secret, or null when the text is not one this key sealed for this member. */
export const decryptTotpSecret = (staffId: string, sealed: string): Promise<string | null> =>
  unseal('totp-secret', staffId, sealed);

export const RECOVERY_CODE_COUNT = 10;

/**
 * Ten recovery codes of 80 random bits each, as four groups of four base32 letters
 * (`abcd-efgh-ijkl-mnop`), so none can be guessed within the login rate limit.
 */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const base32 = new Secret({ size: 10 }).base32.toLowerCase();
    return base32.match(/.{4}/g)?.join('-') ?? base32;
  });
}

/** What a typed recovery code is compared as: lower case, without spaces or dashes. */
export const normaliseRecoveryCode = (code: string): string =>
  code.toLowerCase().replace(/[\s-]/g, '');

/** Whether a `totp` value has a recovery code's shape (16 base32 letters, grouped or not). */
export const looksLikeRecoveryCode = (code: string): boolean =>
  /^[a-z2-7]{16}$/.test(normaliseRecoveryCode(code));

/**
 * A recovery code's stored form: HMAC-SHA256 under a derived key, the member's id included. A
 * fast hash suffices where a password would need scrypt: each code carries 80 random bits, far
 * beyond what a guesser holding the table and the hash could search.
 */
export async function hashRecoveryCode(staffId: string, code: string): Promise<string> {
  return createHmac('sha256', await derivedKey('recovery-code'))
    .update(`${staffId}\n${normaliseRecoveryCode(code)}`)
    .digest('base64url');
}
