import { describe, expect, it } from 'vitest';
import {
  assertRecoverable,
  assertUltraSafeCreation,
  assertUltraSafeUnchanged,
} from '#lib/rules/ultrasafe.ts';

describe('UltraSafe (SPEC §2.5)', () => {
  it('accepts an UltraSafe account without a secret question', () => {
    expect(() => assertUltraSafeCreation({ ultraSafe: true })).not.toThrow();
    expect(() =>
      assertUltraSafeCreation({ ultraSafe: true, secretQuestion: null, secretAnswer: null }),
    ).not.toThrow();
  });

  it.each([
    { secretQuestion: 'First pet?', secretAnswer: 'Rex' },
    { secretQuestion: 'First pet?' },
    { secretAnswer: 'Rex' },
  ])('refuses a secret question or answer on an UltraSafe account: %o', (secret) => {
    expect(() => assertUltraSafeCreation({ ultraSafe: true, ...secret })).toThrow(
      expect.objectContaining({
        status: 422,
        code: 'ULTRASAFE_NO_SECRET_QUESTION',
        errors: [expect.objectContaining({ path: 'secretQuestion' })],
      }),
    );
  });

  it('accepts a normal account with both or neither of question and answer', () => {
    expect(() => assertUltraSafeCreation({ ultraSafe: false })).not.toThrow();
    expect(() =>
      assertUltraSafeCreation({ ultraSafe: false, secretQuestion: 'Pet?', secretAnswer: 'Rex' }),
    ).not.toThrow();
  });

  it('refuses a question without an answer and an answer without a question', () => {
    expect(() => assertUltraSafeCreation({ ultraSafe: false, secretQuestion: 'Pet?' })).toThrow(
      expect.objectContaining({
        status: 422,
        code: 'SECRET_QUESTION_INCOMPLETE',
        errors: [expect.objectContaining({ path: 'secretAnswer' })],
      }),
    );
    expect(() =>
      assertUltraSafeCreation({ ultraSafe: false, secretQuestion: null, secretAnswer: 'Rex' }),
    ).toThrow(
      expect.objectContaining({
        status: 422,
        code: 'SECRET_QUESTION_INCOMPLETE',
        errors: [expect.objectContaining({ path: 'secretQuestion' })],
      }),
    );
  });

  it('never recovers an UltraSafe account', () => {
    expect(() => assertRecoverable({ ultraSafe: true })).toThrow(
      expect.objectContaining({ status: 409, code: 'UNRECOVERABLE_ACCOUNT' }),
    );
    expect(() => assertRecoverable({ ultraSafe: false })).not.toThrow();
  });

  it('never lets ultraSafe change after creation', () => {
    for (const current of [true, false]) {
      expect(() => assertUltraSafeUnchanged(current, undefined)).not.toThrow();
      expect(() => assertUltraSafeUnchanged(current, current)).not.toThrow();
      expect(() => assertUltraSafeUnchanged(current, !current)).toThrow(
        expect.objectContaining({ status: 409, code: 'ULTRASAFE_IMMUTABLE' }),
      );
    }
  });
});
