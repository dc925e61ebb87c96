import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeUsername, USERNAME_PATTERN, usernameProblem } from '#lib/rules/usernames.ts';

describe('usernames (SPEC §2.4)', () => {
  it.each([
    'alice',
    'a1b',
    'bob.smith',
    'jane_doe',
    'backup-01',
    'alice@example.com',
    'alice+backup@example.co.uk',
    '007',
  ])('accepts %s', (username) => {
    expect(usernameProblem(username)).toBeNull();
    expect(USERNAME_PATTERN.test(normalizeUsername(username))).toBe(true);
  });

  it('normalizes case and surrounding spaces', () => {
    expect(normalizeUsername('  Alice@Example.COM ')).toBe('alice@example.com');
    expect(usernameProblem('ALICE')).toBeNull();
  });

  it.each([
    ['ab', /3 to 64/],
    ['', /3 to 64/],
    ['  a  ', /3 to 64/],
    ['.alice', /start with a letter or a digit/],
    ['_alice', /start with a letter or a digit/],
    ['@alice', /start with a letter or a digit/],
    ['-alice', /start with a letter or a digit/],
    ['al ice', /only letters, digits/],
    ['alice!', /only letters, digits/],
    ['alice/bob', /only letters, digits/],
    ['jörg', /only letters, digits/],
    ['al\nice', /only letters, digits/],
  ])('refuses %j', (username, message) => {
    expect(usernameProblem(username)).toMatch(message);
  });

  it('accepts 64 characters and refuses 65', () => {
    // Prepare
    const sixtyFour = `a${'b'.repeat(63)}`;
    const sixtyFive = `a${'b'.repeat(64)}`;

    // Act / Assess
    expect(sixtyFour).toHaveLength(64);
    expect(usernameProblem(sixtyFour)).toBeNull();
    expect(usernameProblem(sixtyFive)).toMatch(/3 to 64/);
  });

  it('accepts 3 characters', () => {
    expect(usernameProblem('abc')).toBeNull();
  });

  it('property: a username is valid exactly when its normalized form matches the pattern', () => {
    const chars = fc.constantFrom(...'aZ09._@+- !#é'.split(''));
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 70 }).map((a) => a.join('')),
        (raw) => {
          const valid = USERNAME_PATTERN.test(normalizeUsername(raw));
          expect(usernameProblem(raw) === null).toBe(valid);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
