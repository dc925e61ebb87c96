/**
 * A staff member's second factor at rest: the TOTP secret encrypted (AES-256-GCM, its key
 * derived by HKDF-SHA256 from the session signing secret, the member's id as associated data,
 * so a secret copied onto another member's item does not decrypt), and recovery codes kept as
 * keyed hashes. The table alone reveals neither. Rotating the signing secret makes enrolled
 * secrets unreadable: those members enrol again (the encryption key is derived from it).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { Secret } from 'otpauth';
import { signingKey } from './signing-key.ts';

const VERSION = 'v1';
const IV_BYTES = 12;

async function derivedKey(purpose: string): Promise<Buffer> {
  return Buffer.from(
    hkdfSync('sha256', await signingKey(), Buffer.alloc(0), `backup-provisioning/${purpose}`, 32),
  );
}

/** `v1.<iv>.<ciphertext>.<tag>`, each part base64url. */
export async function encryptTotpSecret(staffId: string, secret: string): Promise<string> {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', await derivedKey('totp-secret'), iv);
  cipher.setAAD(Buffer.from(staffId, 'utf8'));
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [VERSION, iv, sealed, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** The secret, or null when the text is not one this key sealed for this member. */
export async function decryptTotpSecret(staffId: string, sealed: string): Promise<string | null> {
  const [version, iv, text, tag] = sealed.split('.');
  if (version !== VERSION || !iv || !text || !tag) return null;
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      await derivedKey('totp-secret'),
      Buffer.from(iv, 'base64url'),
    );
    decipher.setAAD(Buffer.from(staffId, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(text, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return null;
  }
}

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
