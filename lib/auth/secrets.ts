import { createHash, randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** No 0/O, 1/l/I: the password is read from an e-mail and typed by hand. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
const PASSWORD_LENGTH = 16;

export function generateTemporaryPassword(): string {
  for (;;) {
    let password = '';
    for (let i = 0; i < PASSWORD_LENGTH; i++) password += ALPHABET[randomInt(ALPHABET.length)];
    if (/[a-z]/.test(password) && /[A-Z]/.test(password) && /[0-9]/.test(password)) return password;
  }
}

/** The production cost (scrypt's N). */
export const DEFAULT_SCRYPT_N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const MAX_MEMORY = 64 * 1024 * 1024;

/**
 * The N new hashes get: DEFAULT_SCRYPT_N unless SCRYPT_N says otherwise, which only the tests
 * set (vitest.config.ts), to spend less CPU. A hash names its N, so verifying never reads this.
 */
export function scryptN(): number {
  const configured = process.env.SCRYPT_N;
  if (configured === undefined || configured === '') return DEFAULT_SCRYPT_N;
  const n = Number(configured);
  if (!Number.isSafeInteger(n) || n < 2 || (n & (n - 1)) !== 0) {
    throw new Error(`SCRYPT_N must be a power of two of at least 2, not "${configured}"`);
  }
  return n;
}

/** A slow, salted hash that names its own parameters, so they can be raised later. */
export async function hashSecret(plain: string): Promise<string> {
  const N = scryptN();
  const salt = randomBytes(16);
  const hash = await scryptAsync(plain, salt, KEY_LENGTH, { N, r: R, p: P, maxmem: MAX_MEMORY });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** Never throws: a corrupt stored hash must read as a failed login, not a server error. */
export async function verifySecret(plain: string, stored: string): Promise<boolean> {
  try {
    if (typeof plain !== 'string' || typeof stored !== 'string') return false;
    const parts = stored.split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
    const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
    if (![n, r, p].every((value) => Number.isSafeInteger(value) && value > 0)) return false;
    const salt = Buffer.from(parts[4] as string, 'base64url');
    const expected = Buffer.from(parts[5] as string, 'base64url');
    if (salt.length === 0 || expected.length === 0) return false;
    // maxmem also caps what a tampered N/r/p could make us allocate.
    const actual = await scryptAsync(plain, salt, expected.length, {
      N: n,
      r,
      p,
      maxmem: MAX_MEMORY,
    });
    return timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

export const generateApiKey = (prefix: 'pk' | 'sk'): string =>
  `${prefix}_${randomBytes(32).toString('base64url')}`;

/** API keys carry 256 random bits, so a fast hash is enough; passwords use scrypt. */
export const hashApiKey = (apiKey: string): string =>
  createHash('sha256').update(apiKey).digest('hex');
