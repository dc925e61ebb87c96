/** UltraSafe accounts (SPEC §2.5): the key is the user's alone, so nothing can recover it. */
import {
  secretQuestionIncomplete,
  ultrasafeImmutable,
  ultrasafeNoSecretQuestion,
  unrecoverableAccount,
} from '#lib/errors.ts';

export interface UltraSafeInput {
  ultraSafe: boolean;
  secretQuestion?: string | null;
  secretAnswer?: string | null;
}

const given = (value: string | null | undefined) => value !== undefined && value !== null;

export function assertUltraSafeCreation(input: UltraSafeInput): void {
  const hasQuestion = given(input.secretQuestion);
  const hasAnswer = given(input.secretAnswer);
  if (input.ultraSafe && (hasQuestion || hasAnswer)) {
    throw ultrasafeNoSecretQuestion();
  }
  if (hasQuestion !== hasAnswer) {
    const missing = hasQuestion ? 'secretAnswer' : 'secretQuestion';
    throw secretQuestionIncomplete(missing);
  }
}

export function assertRecoverable(account: { ultraSafe: boolean }): void {
  if (account.ultraSafe) {
    throw unrecoverableAccount();
  }
}

export function assertUltraSafeUnchanged(current: boolean, requested: boolean | undefined): void {
  if (requested !== undefined && requested !== current) {
    throw ultrasafeImmutable();
  }
}
