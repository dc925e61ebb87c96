import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_SCRYPT_N,
  generateApiKey,
  generateTemporaryPassword,
  hashApiKey,
  hashSecret,
  scryptN,
  verifySecret,
} from '#lib/auth/secrets.ts';

const ALPHABET = /^[ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789]+$/;

describe('hashSecret / verifySecret', () => {
  it('produces a self-describing scrypt hash that does not contain the secret', async () => {
    // Prepare
    const plain = 'correct horse battery staple';

    // Act
    const stored = await hashSecret(plain);

    // Assess
    expect(stored).not.toBe(plain);
    expect(stored).not.toContain(plain);
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('hashes at the production cost unless SCRYPT_N lowers it, and verifies at any cost', async () => {
    // Prepare
    vi.stubEnv('SCRYPT_N', undefined);
    const atDefault = await hashSecret('pass phrase');
    vi.stubEnv('SCRYPT_N', '1024');

    // Act
    const lowered = await hashSecret('pass phrase');

    // Assess
    expect(DEFAULT_SCRYPT_N).toBe(16384);
    expect(atDefault).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(lowered).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await verifySecret('pass phrase', atDefault)).toBe(true);
    vi.stubEnv('SCRYPT_N', undefined);
    expect(await verifySecret('pass phrase', lowered)).toBe(true);
    expect(await verifySecret('pass phrase!', lowered)).toBe(false);
  });

  it('refuses a SCRYPT_N that is not a power of two of at least 2', () => {
    for (const bad of ['1', '1000', 'abc', '-16', '0']) {
      vi.stubEnv('SCRYPT_N', bad);
      expect(() => scryptN(), bad).toThrow(/SCRYPT_N/);
    }
  });

  it('accepts the right secret and rejects a wrong one', async () => {
    // Prepare
    const stored = await hashSecret('Tr0ub4dor&3');

    // Act
    const right = await verifySecret('Tr0ub4dor&3', stored);
    const wrong = await verifySecret('Tr0ub4dor&4', stored);
    const empty = await verifySecret('', stored);

    // Assess
    expect(right).toBe(true);
    expect(wrong).toBe(false);
    expect(empty).toBe(false);
  });

  it('salts each hash, so two hashes of the same input differ and both verify', async () => {
    // Prepare
    const plain = 'same input';

    // Act
    const first = await hashSecret(plain);
    const second = await hashSecret(plain);

    // Assess
    expect(first).not.toBe(second);
    expect(await verifySecret(plain, first)).toBe(true);
    expect(await verifySecret(plain, second)).toBe(true);
  });

  it('returns false, without throwing, for malformed stored strings', async () => {
    // Prepare
    const valid = await hashSecret('secret');
    const [, , , , salt, hash] = valid.split('$');
    const malformed = [
      '',
      'secret',
      'scrypt',
      'bcrypt$16384$8$1$abc$def',
      `scrypt$16384$8$1$${salt}`,
      `scrypt$16384$8$1$${salt}$${hash}$extra`,
      `scrypt$abc$8$1$${salt}$${hash}`,
      `scrypt$0$8$1$${salt}$${hash}`,
      `scrypt$-16384$8$1$${salt}$${hash}`,
      `scrypt$1000$8$1$${salt}$${hash}`, // N not a power of two
      `scrypt$1073741824$8$1$${salt}$${hash}`, // would exceed the memory cap
      `scrypt$16384$8$1$$${hash}`,
      `scrypt$16384$8$1$${salt}$`,
      null as unknown as string,
    ];

    // Act
    const results = await Promise.all(malformed.map((stored) => verifySecret('secret', stored)));

    // Assess
    expect(results).toEqual(malformed.map(() => false));
  });
});

describe('generateTemporaryPassword', () => {
  it('draws distinct 16-character passwords from the unambiguous alphabet with every class', () => {
    // Prepare
    const samples = 200;

    // Act
    const passwords = Array.from({ length: samples }, () => generateTemporaryPassword());

    // Assess
    for (const password of passwords) {
      expect(password).toHaveLength(16);
      expect(password).toMatch(ALPHABET);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[0-9]/);
      expect(password).not.toMatch(/[0O1lI]/);
    }
    expect(new Set(passwords).size).toBe(samples);
  });
});

describe('generateApiKey / hashApiKey', () => {
  it('prefixes 256 random bits in base64url, distinct on each call', () => {
    // Prepare
    const count = 50;

    // Act
    const publicKeys = Array.from({ length: count }, () => generateApiKey('pk'));
    const secretKey = generateApiKey('sk');

    // Assess
    for (const key of publicKeys) expect(key).toMatch(/^pk_[A-Za-z0-9_-]{43}$/);
    expect(secretKey).toMatch(/^sk_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secretKey.slice(3), 'base64url')).toHaveLength(32);
    expect(new Set(publicKeys).size).toBe(count);
  });

  it('hashes deterministically to 64 hex characters, different keys to different hashes', () => {
    // Prepare
    const key = generateApiKey('sk');
    const other = generateApiKey('sk');

    // Act
    const first = hashApiKey(key);
    const second = hashApiKey(key);
    const otherHash = hashApiKey(other);

    // Assess
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toBe(first);
    expect(otherHash).not.toBe(first);
    expect(first).not.toContain(key.slice(3));
    expect(hashApiKey('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
