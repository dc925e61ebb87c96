/**
 * Secrets the service must read back (staff TOTP secrets, webhook signing secrets), kept at
 * rest with AES-256-GCM under a key derived by HKDF-SHA256 from the session signing secret: the
 * table alone reveals none. `purpose` keeps the keys of different uses apart, and `context`
 * (the owner's id) is bound as associated data, so a value copied onto another owner's item
 * does not open. Rotating the signing secret makes every sealed value unreadable.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { signingKey } from './signing-key.ts';

const VERSION = 'v1';
const IV_BYTES = 12;

/** A 32-byte key for `purpose`, derived from the signing secret. */
export async function derivedKey(purpose: string): Promise<Buffer> {
  return Buffer.from(
    hkdfSync('sha256', await signingKey(), Buffer.alloc(0), `backup-provisioning/${purpose}`, 32),
  );
}

/** `v1.<iv>.<ciphertext>.<tag>`, each part base64url. */
export async function seal(purpose: string, context: string, plain: string): Promise<string> {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', await derivedKey(purpose), iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [VERSION, iv, sealed, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** The value, or null when the text is not one this key sealed for this purpose and owner. */
export async function unseal(
  purpose: string,
  context: string,
  sealed: string,
): Promise<string | null> {
  const [version, iv, text, tag] = sealed.split('.');
  if (version !== VERSION || !iv || !text || !tag) return null;
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      await derivedKey(purpose),
      Buffer.from(iv, 'base64url'),
    );
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(text, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return null;
  }
}
