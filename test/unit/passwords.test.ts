import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AppError } from '#lib/errors.ts';
import { commonPasswords } from '#lib/rules/common-passwords.ts';
import {
  assertPassword,
  normalizeSecretAnswer,
  PASSWORD_MAX,
  PASSWORD_MIN,
  passwordProblems,
  TEMPORARY_PASSWORD_TTL_MS,
  temporaryPasswordExpired,
} from '#lib/rules/passwords.ts';

/** Everything a caller could show or log about a refused password. */
const allText = (error: AppError) =>
  [error.message, error.detail, ...error.errors.map((e) => e.message), JSON.stringify(error)].join(
    '\n',
  );

describe('password policy (SPEC §2.4)', () => {
  it('accepts a reasonable password', () => {
    expect(PASSWORD_MIN).toBe(8);
    expect(PASSWORD_MAX).toBe(128);
    expect(passwordProblems('correct horse battery', 'alice')).toEqual([]);
    expect(() => assertPassword('Tr0ub4dor&3x', 'alice', 'password')).not.toThrow();
  });

  it('refuses 7 characters and accepts 8', () => {
    expect(passwordProblems('xk7#pq2', null)).toEqual(['Must be at least 8 characters long.']);
    expect(passwordProblems('xk7#pq2z', null)).toEqual([]);
  });

  it('accepts 128 characters and refuses 129', () => {
    expect(passwordProblems('x'.repeat(128), null)).toEqual([]);
    expect(passwordProblems('x'.repeat(129), null)).toEqual([
      'Must be at most 128 characters long.',
    ]);
  });

  it('counts characters, not UTF-16 code units', () => {
    // Prepare: 8 emoji are 16 UTF-16 units but 8 characters; 65 are 130 units, 65 characters.
    const eight = '🔒'.repeat(8);
    const seven = '🔒'.repeat(7);

    // Act / Assess
    expect(seven.length).toBe(14);
    expect(passwordProblems(seven, null)).toEqual(['Must be at least 8 characters long.']);
    expect(passwordProblems(eight, null)).toEqual([]);
    expect(passwordProblems('🔒'.repeat(128), null)).toEqual([]);
  });

  it('refuses the username as password, whatever the case', () => {
    expect(passwordProblems('Alice.Backup', 'alice.backup')).toEqual(['Must not be the username.']);
    expect(passwordProblems('alice.backup', 'ALICE.BACKUP')).toEqual(['Must not be the username.']);
    expect(passwordProblems('alice.backup2', 'alice.backup')).toEqual([]);
  });

  it.each([
    'password',
    'Password1',
    'PASSWORD123',
    '12345678',
    'qwerty123',
    'iloveyou',
    'letmein1',
    'Welcome1',
    'P@ssw0rd',
    'Summer2024',
    '1qaz2wsx',
  ])('refuses the common password %s', (password) => {
    expect(passwordProblems(password, null)).toEqual([
      'Is too common: choose a less guessable password.',
    ]);
  });

  it('ships a list of at least 1000 lower-case common passwords', () => {
    expect(commonPasswords().size).toBeGreaterThanOrEqual(1000);
    for (const password of commonPasswords()) expect(password).toBe(password.toLowerCase());
    for (const password of ['123456', 'trustno1', 'monkey', 'dragon', 'password9']) {
      expect(commonPasswords().has(password)).toBe(true);
    }
  });

  it('reports every problem at once', () => {
    expect(passwordProblems('abc', 'abc')).toHaveLength(3);
  });

  it('throws 422 WEAK_PASSWORD with one error per problem on the given field', () => {
    expect(() => assertPassword('alice', 'alice', 'admin.password')).toThrow(
      expect.objectContaining({
        status: 422,
        code: 'WEAK_PASSWORD',
        errors: [
          { path: 'admin.password', message: 'Must be at least 8 characters long.' },
          { path: 'admin.password', message: 'Must not be the username.' },
        ],
      }),
    );
  });

  it('never puts the password into the error', () => {
    for (const [password, username] of [
      ['S3cr3tNotSo', 's3cr3tnotso'],
      ['Zq9!', null],
      ['Password123', 'bob'],
      [`Zq9!${'w'.repeat(200)}`, null],
    ] as const) {
      expect(() => assertPassword(password, username, 'password')).toThrow(
        expect.toSatisfy(
          (error: AppError) =>
            error.code === 'WEAK_PASSWORD' &&
            !allText(error).toLowerCase().includes(password.toLowerCase()),
          'a WEAK_PASSWORD error that does not contain the password',
        ),
      );
    }
  });

  it('property: passwords out of 8–128 characters are always refused', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 7 }), fc.string({ minLength: 129 })), (pw) => {
        fc.pre([...pw].length < 8 || [...pw].length > 128);
        expect(passwordProblems(pw, null).length).toBeGreaterThan(0);
      }),
    );
  });
});

describe('secret answers', () => {
  it('compares trimmed, case-insensitively, with runs of spaces as one', () => {
    expect(normalizeSecretAnswer('  Blue   Whale\t')).toBe('blue whale');
    expect(normalizeSecretAnswer('Blue Whale')).toBe(normalizeSecretAnswer(' blue  WHALE '));
    expect(normalizeSecretAnswer('bluewhale')).not.toBe(normalizeSecretAnswer('blue whale'));
  });
});

describe('temporary passwords', () => {
  const issuedAt = '2025-03-01T12:00:00.000Z';
  const issuedMs = Date.parse(issuedAt);

  it('last 7 days', () => {
    expect(TEMPORARY_PASSWORD_TTL_MS).toBe(604_800_000);
  });

  it('are valid until the last millisecond before 7 days and expired at exactly 7 days', () => {
    expect(temporaryPasswordExpired(issuedAt, issuedMs)).toBe(false);
    expect(temporaryPasswordExpired(issuedAt, issuedMs + TEMPORARY_PASSWORD_TTL_MS - 1)).toBe(
      false,
    );
    expect(temporaryPasswordExpired(issuedAt, issuedMs + TEMPORARY_PASSWORD_TTL_MS)).toBe(true);
    expect(temporaryPasswordExpired(issuedAt, issuedMs + TEMPORARY_PASSWORD_TTL_MS + 1)).toBe(true);
  });

  it('count an unreadable issue time as expired', () => {
    expect(temporaryPasswordExpired('not a date', issuedMs)).toBe(true);
  });
});
