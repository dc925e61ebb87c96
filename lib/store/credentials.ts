/**
 * What logins, password changes, resets and recovery read and write. Passwords and answers
 * reach the table only as scrypt hashes made by the caller.
 */

import { conflict } from '#lib/errors.ts';
import type { Account, Company } from '#lib/model.ts';
import type { AlertLevel } from '#lib/rules/alert-levels.ts';
import { alertLevelClause } from './alerts.ts';
import { accountFromItem, companyFromItem, isEntity } from './items.ts';
import { ENTITY, keys } from './keys.ts';
import { getItem, getItems, keyId, type WriteStep, write } from './table.ts';

export interface LoginContext {
  account: Account | null;
  company: Company | null;
}

/**
 * The account a username names, with its company: two reads (the username marker says where
 * the account lives). Nothing for an unknown username, after the same two reads.
 */
export async function loadLoginContext(username: string): Promise<LoginContext> {
  const marker = await getItem(keys.username(username));
  const known = isEntity(marker, ENTITY.username);
  // An unknown username reads two keys that never exist: the same requests, the same time.
  const partnerId = known ? String(marker.partnerId) : '-';
  const companyId = known ? String(marker.companyId) : '-';
  const accountKey = keys.account(partnerId, companyId, known ? String(marker.accountId) : '-');
  const companyKey = keys.company(partnerId, companyId);
  const found = await getItems([accountKey, companyKey]);
  if (!known) return { account: null, company: null };
  const account = found.get(keyId(accountKey));
  const company = found.get(keyId(companyKey));
  return {
    account: isEntity(account, ENTITY.account) ? accountFromItem(account) : null,
    company: isEntity(company, ENTITY.company) ? companyFromItem(company) : null,
  };
}

/**
 * Sets a password the user chose (change or recovery), on the condition that the password is
 * still the one the request was checked against.
 */
export function setPasswordStep(
  account: Account,
  passwordHash: string,
  issuedAt: string,
): WriteStep {
  return {
    item: write.update(
      keys.account(account.partnerId, account.companyId, account.id),
      'SET passwordHash = :hash, passwordIssuedAt = :at, mustChangePassword = :false, updatedAt = :at, passwordMessageId = :null',
      {
        ':null': null,
        ':hash': passwordHash,
        ':at': issuedAt,
        ':false': false,
        ':before': account.passwordIssuedAt,
        ':cancelled': 'cancelled',
      },
      {
        condition: 'passwordIssuedAt = :before AND #status <> :cancelled',
        names: { '#status': 'status' },
      },
    ),
    onConditionFailed: () => conflict(),
  };
}

/**
 * A reset withdraws the current password at once (and with it every session opened with it);
 * the mailer then generates the new temporary password and stores its hash.
 */
export function withdrawPasswordStep(account: Account, at: string): WriteStep {
  return {
    item: write.update(
      keys.account(account.partnerId, account.companyId, account.id),
      'SET passwordHash = :null, passwordIssuedAt = :null, mustChangePassword = :true, updatedAt = :at, passwordMessageId = :null',
      { ':null': null, ':true': true, ':at': at, ':cancelled': 'cancelled', ':false': false },
      {
        condition: 'attribute_exists(PK) AND #status <> :cancelled AND ultraSafe = :false',
        names: { '#status': 'status' },
      },
    ),
    onConditionFailed: () => conflict(),
  };
}

export function setUserQuotaStep(
  account: Account,
  userQuotaMb: number | null,
  at: string,
  alertLevel: AlertLevel = account.alertLevel ?? 0,
): WriteStep {
  const values: Record<string, unknown> = {
    ':quota': userQuotaMb,
    ':at': at,
    ':cancelled': 'cancelled',
    ':before': account.updatedAt,
    ':usedBefore': account.usedMb,
  };
  const level = alertLevelClause(account.alertLevel, alertLevel, values);
  return {
    item: write.update(
      keys.account(account.partnerId, account.companyId, account.id),
      `SET userQuotaMb = :quota, updatedAt = :at, ${level.set}`,
      values,
      {
        // As read: the usage table's total size moves by the difference to the quotas read, and
        // the alert level follows from the use read.
        condition: `attribute_exists(PK) AND #status <> :cancelled AND updatedAt = :before AND usedMb = :usedBefore AND ${level.condition}`,
        names: { '#status': 'status' },
      },
    ),
    onConditionFailed: () => conflict(),
  };
}
