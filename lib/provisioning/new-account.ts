/**
 * A new account's record with its secrets hashed: the rules decide the record
 * (lib/rules/new-account.ts); the hashes are salted at random, so they are made here.
 */
import { hashSecret } from '#lib/auth/secrets.ts';
import type { Account } from '#lib/model.ts';
import {
  type AccountSecrets,
  type NewAccountInput,
  newAccountRecord,
} from '#lib/rules/new-account.ts';
import { normalizeSecretAnswer } from '#lib/rules/passwords.ts';

export interface NewAccount {
  account: Account;
  pooledMb: number;
}

/** The account with the hashes of the secrets its request gave. */
export async function withHashedSecrets(
  account: Account,
  secrets: AccountSecrets,
): Promise<Account> {
  return {
    ...account,
    secretAnswerHash: secrets.secretAnswer
      ? await hashSecret(normalizeSecretAnswer(secrets.secretAnswer))
      : null,
    passwordHash: secrets.password !== undefined ? await hashSecret(secrets.password) : null,
  };
}

export async function buildNewAccount(input: NewAccountInput): Promise<NewAccount> {
  const { account, secrets, pooledMb } = newAccountRecord(input);
  return { account: await withHashedSecrets(account, secrets), pooledMb };
}
