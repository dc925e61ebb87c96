/**
 * Secrets the service must read back (webhook signing secrets), kept at rest with AES-256-GCM
 * under a key derived by HKDF from the service secret: a copy of the table alone reveals none,
 * and `purpose` keeps keys made for different uses apart.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { signingKey } from './signing-key.ts';

const VERSION = 'v1';
const IV_BYTES = 12;

async function keyFor(purpose: string): Promise<Buffer> {
  const master = await signingKey();
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `sealed:${purpose}`, 32));
}

/** `v1.<iv>.<ciphertext>.<tag>`, base64url; `context` (the owner's id) is bound as AAD. */
export async function seal(purpose: string, context: string, plain: string): Promise<string> {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', await keyFor(purpose), iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const parts = [iv, body, cipher.getAuthTag()].map((part) => part.toString('base64url'));
  return [VERSION, ...parts].join('.');
}

/** Throws on anything tampered with, sealed for another purpose or another owner. */
export async function unseal(purpose: string, context: string, sealed: string): Promise<string> {
  const [version, iv, body, tag] = sealed.split('.');
  if (version !== VERSION || !iv || body === undefined || !tag) {
    throw new Error('Not a sealed value');
  }
  const decipher = createDecipheriv(
    'aes-256-gcm',
    await keyFor(purpose),
    Buffer.from(iv, 'base64url'),
  );
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([
    decipher.update(Buffer.from(body, 'base64url')),
    decipher.final(),
  ]).toString('utf8');
}
