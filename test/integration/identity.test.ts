/**
 * Logins, sessions and the ways a password is replaced, in-process against DynamoDB Local and
 * the SES emulator. Every scope here is a real partner record: principalForSession reads it.
 */
import { randomBytes } from 'node:crypto';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { jwtVerify } from 'jose';
import { ulid } from 'ulid';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Principal, SessionPrincipal } from '#lib/auth/principal.ts';
import { verifySecret } from '#lib/auth/secrets.ts';
import { principalForSession } from '#lib/auth/session-principal.ts';
import { issueSession, type SessionClaims, verifySession } from '#lib/auth/sessions.ts';
import { documentClient } from '#lib/clients/dynamodb.ts';
import { AppError, invalidCredentials } from '#lib/errors.ts';
import { deliverOutboxMessage } from '#lib/mail/deliver.ts';
import { cancelAccount, createAccount } from '#lib/provisioning/accounts.ts';
import { createCompany } from '#lib/provisioning/companies.ts';
import {
  changePassword,
  impersonate,
  login,
  recover,
  resetPassword,
} from '#lib/provisioning/identity.ts';
import { sessionScope, type TenantScope } from '#lib/provisioning/scope.ts';
import {
  type AttemptKind,
  MAX_FAILURES,
  MAX_FAILURES_PER_USERNAME,
  TRUST_MS,
  UNKNOWN_SOURCE,
  WINDOW_MS,
} from '#lib/rules/rate-limit.ts';
import { type Key, keys } from '#lib/store/keys.ts';
import {
  endAttempt,
  readFailureWindow,
  readTrustedUntil,
  recordFailure,
  reserveAttempt,
} from '#lib/store/limits.ts';
import { getItem } from '#lib/store/table.ts';
import {
  companyBody,
  inCompany,
  newPartner,
  staffWithPassword,
  strongPassword,
  uniqueUsername,
} from '../support/builders.ts';
import { scanForValue } from './scan.ts';
import { emailsTo, outboxIdsFor, passwordIn } from './support.ts';

/**
 * A company whose admin holds a password the partner chose, with 5 GB of the 10 GB pool left
 * for one more account.
 */
async function companyWithAdmin(scope: TenantScope) {
  const password = strongPassword('Adm');
  const body = companyBody();
  body.admin.password = password;
  body.admin.hardQuotaMb = 5120;
  const created = await createCompany(scope, body);
  return {
    ...created,
    companyId: created.company.id,
    admin: { id: created.account.id, username: body.admin.username, password },
    email: body.contact.email,
  };
}

async function backupUser(
  scope: TenantScope,
  companyId: string,
  extra: { password?: string; secretQuestion?: string; secretAnswer?: string } = {},
) {
  const username = uniqueUsername('user');
  const { account } = await createAccount(inCompany(scope, companyId), {
    username,
    plan: 'basic',
    ...extra,
  });
  return { id: account.id, username, password: extra.password };
}

/** Wrong guesses counted straight into the windows, without the scrypt comparison of a login. */
async function failAttempts(
  kind: AttemptKind,
  username: string,
  count: number,
  at: Date,
  source = UNKNOWN_SOURCE,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const reserved = await reserveAttempt({ kind, username, source }, at);
    if (!('ticket' in reserved)) throw new Error(`Attempt ${i + 1} of ${count} was refused`);
    await recordFailure(reserved.ticket);
  }
}

/** Fills the username's window from many sources, none of them over its own limit. */
async function failFromManySources(username: string, at: Date): Promise<void> {
  const perSource = MAX_FAILURES - 1;
  for (let source = 0; source * perSource < MAX_FAILURES_PER_USERNAME.login; source++) {
    const count = Math.min(perSource, MAX_FAILURES_PER_USERNAME.login - source * perSource);
    await failAttempts('login', username, count, at, `10.0.${source}.1`);
  }
}

const asSession = (principal: Principal): SessionPrincipal => {
  if (principal.kind !== 'companyAdmin' && principal.kind !== 'backupUser') {
    throw new Error(`Expected a session principal, got ${principal.kind}`);
  }
  return principal;
};

describe('the failed-login limit', () => {
  it('checks no more than five of a burst of parallel guesses, then refuses even the right password', async () => {
    // Prepare
    const { scope } = await newPartner('Limit IT');
    const { admin } = await companyWithAdmin(scope);
    const now = new Date();

    // Act
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        login({ username: admin.username, password: `wrong-${i}-password` }, now),
      ),
    );
    const window = await readFailureWindow('login', admin.username);
    // A second into the window its whole length but that second is left to wait.
    await expect(
      login({ username: admin.username, password: admin.password }, new Date(now.getTime() + 1000)),
    ).rejects.toMatchObject({
      status: 429,
      code: 'TOO_MANY_ATTEMPTS',
      extensions: { retryAfterSeconds: WINDOW_MS / 1000 - 1 },
    });

    // Assess
    const codes = outcomes.map((outcome) =>
      outcome.status === 'rejected' && outcome.reason instanceof AppError
        ? outcome.reason.code
        : outcome.status,
    );
    const checked = codes.filter((code) => code === 'INVALID_CREDENTIALS').length;
    const turnedAway = codes.filter((code) => code === 'TOO_MANY_ATTEMPTS').length;
    // Counted before checked: parallel guesses get no more checks than a sequence would.
    expect(checked).toBe(MAX_FAILURES);
    expect(turnedAway).toBe(8 - MAX_FAILURES);
    expect(window?.failures).toBe(MAX_FAILURES);
    expect(window?.windowStartsAt).toBe(now.toISOString());
    // Refused attempts are not counted, so a lock-out cannot be stretched by retrying.
    expect((await readFailureWindow('login', admin.username))?.failures).toBe(window?.failures);
  });

  it('blocks until the very end of the window, then a failure opens a new one that success ends', async () => {
    // Prepare
    const { scope } = await newPartner('Window IT');
    const { admin } = await companyWithAdmin(scope);
    const start = new Date();
    await failAttempts('login', admin.username, MAX_FAILURES, start);
    const justBefore = new Date(start.getTime() + WINDOW_MS - 1);
    const windowEnd = new Date(start.getTime() + WINDOW_MS);
    const later = new Date(windowEnd.getTime() + 1000);

    // Act
    await expect(
      login({ username: admin.username, password: admin.password }, justBefore),
    ).rejects.toMatchObject({ code: 'TOO_MANY_ATTEMPTS', extensions: { retryAfterSeconds: 1 } });
    await expect(
      login({ username: admin.username, password: 'still-wrong-pw' }, windowEnd),
    ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    const reopened = await readFailureWindow('login', admin.username, UNKNOWN_SOURCE);
    const session = await login({ username: admin.username, password: admin.password }, later);
    const afterSuccess = await readFailureWindow('login', admin.username, UNKNOWN_SOURCE);

    // Assess
    expect(reopened).toEqual({ failures: 1, held: 1, windowStartsAt: windowEnd.toISOString() });
    expect(session.role).toBe('companyAdmin');
    // The right password proves the user: its earlier failures no longer count.
    expect(afterSuccess).toBeNull();
  });

  it('never locks out a burst of right passwords for the window: at most a one-second retry', async () => {
    // Prepare
    const { scope } = await newPartner('Burst IT');
    const { admin } = await companyWithAdmin(scope);

    // Act
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        login({ username: admin.username, password: admin.password }),
      ),
    );

    // Assess
    const waits = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected'
        ? [(outcome.reason as AppError).extensions.retryAfterSeconds]
        : [],
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBeGreaterThanOrEqual(
      MAX_FAILURES,
    );
    expect(waits.every((wait) => wait === 1)).toBe(true);
    expect(await readFailureWindow('login', admin.username, UNKNOWN_SOURCE)).toBeNull();
  });
  it('blocks the source that guesses, not the user at another address', async () => {
    // Prepare
    const { scope } = await newPartner('Source IT');
    const { admin } = await companyWithAdmin(scope);
    const now = new Date();
    for (let i = 0; i < MAX_FAILURES; i++) {
      await expect(
        login({ username: admin.username, password: `wrong-${i}-pw` }, now, '198.51.100.7'),
      ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    }

    // Act
    await expect(
      login({ username: admin.username, password: admin.password }, now, '198.51.100.7'),
    ).rejects.toMatchObject({ code: 'TOO_MANY_ATTEMPTS' });
    const user = await login(
      { username: admin.username, password: admin.password },
      now,
      '203.0.113.20',
    );

    // Assess
    expect(user.role).toBe('companyAdmin');
    // The failures from elsewhere still count for the username as a whole.
    expect((await readFailureWindow('login', admin.username))?.failures).toBe(MAX_FAILURES);
  });

  it('stops a guesser with many addresses at the limit for the username as a whole', async () => {
    // Prepare: every source stays under its own limit.
    const { scope } = await newPartner('Many IT');
    const { admin } = await companyWithAdmin(scope);
    const now = new Date();
    const perSource = MAX_FAILURES - 1;
    const sources = Math.ceil(MAX_FAILURES_PER_USERNAME.login / perSource);
    for (let source = 0; source < sources; source++) {
      await Promise.all(
        Array.from({ length: perSource }, (_, i) =>
          expect(
            login(
              { username: admin.username, password: `wrong-${source}-${i}` },
              now,
              `10.0.${source}.1`,
            ),
          ).rejects.toMatchObject({
            code: expect.stringMatching(/^(INVALID_CREDENTIALS|TOO_MANY_ATTEMPTS)$/),
          }),
        ),
      );
    }

    // Act
    await expect(
      login({ username: admin.username, password: admin.password }, now, '192.0.2.99'),
    ).rejects.toMatchObject({
      code: 'TOO_MANY_ATTEMPTS',
      extensions: { retryAfterSeconds: expect.toSatisfy((wait: number) => wait > 1) },
    });
    const window = await readFailureWindow('login', admin.username);

    // Assess
    expect(window?.failures).toBe(MAX_FAILURES_PER_USERNAME.login);
  });

  it("lets the user's own machine in while many addresses keep the username's window full", async () => {
    // Prepare: the backup agent logged in from its machine yesterday.
    const { scope } = await newPartner('Trusted IT');
    const { admin } = await companyWithAdmin(scope);
    const now = new Date();
    const yesterday = new Date(now.getTime() - 24 * 60 * 60 * 1000);
    const agent = '203.0.113.20';
    await login({ username: admin.username, password: admin.password }, yesterday, agent);
    await failFromManySources(admin.username, now);

    // Act
    await expect(
      login({ username: admin.username, password: admin.password }, now, '192.0.2.99'),
    ).rejects.toMatchObject({ code: 'TOO_MANY_ATTEMPTS' });
    const fromAgent = await login(
      { username: admin.username, password: admin.password },
      now,
      agent,
    );
    // Trusted is not unlimited: the agent's machine keeps its own limit of 5.
    for (let i = 0; i <= MAX_FAILURES; i++) {
      await expect(
        login({ username: admin.username, password: `typo-${i}-pw` }, now, agent),
      ).rejects.toMatchObject({
        code: i < MAX_FAILURES ? 'INVALID_CREDENTIALS' : 'TOO_MANY_ATTEMPTS',
      });
    }

    // Assess
    expect(fromAgent.role).toBe('companyAdmin');
    expect(await readTrustedUntil('login', admin.username, agent)).toBe(
      new Date(now.getTime() + TRUST_MS).toISOString(),
    );
    expect((await readFailureWindow('login', admin.username, agent))?.failures).toBe(MAX_FAILURES);
    // Nor do the trusted machine's attempts take places in the username's full window.
    expect((await readFailureWindow('login', admin.username))?.held).toBe(
      MAX_FAILURES_PER_USERNAME.login,
    );
  });

  it('stops trusting a source 30 days after its last right password', async () => {
    // Prepare
    const { scope } = await newPartner('Lapsed IT');
    const { admin } = await companyWithAdmin(scope);
    const agent = '203.0.113.30';
    const now = new Date('2026-11-02T10:00:00.000Z');
    const then = new Date(now.getTime() - TRUST_MS - 60_000);
    await login({ username: admin.username, password: admin.password }, then, agent);
    await failFromManySources(admin.username, now);

    // Act
    const lapsed = login({ username: admin.username, password: admin.password }, now, agent);

    // Assess
    await expect(lapsed).rejects.toMatchObject({ code: 'TOO_MANY_ATTEMPTS' });
    // A refused attempt leaves no place taken in the source's window.
    expect((await readFailureWindow('login', admin.username, agent))?.held).toBe(0);
  });

  it('trusts a source only for the username that logged in from it', async () => {
    // Prepare: the agent's machine is trusted for the admin, and both windows are full.
    const { scope } = await newPartner('Owned IT');
    const { companyId, admin } = await companyWithAdmin(scope);
    const other = await backupUser(scope, companyId, { password: strongPassword() });
    const agent = '203.0.113.31';
    const now = new Date('2026-11-02T10:00:00.000Z');
    const yesterday = new Date(now.getTime() - 24 * 60 * 60 * 1000);
    await login({ username: admin.username, password: admin.password }, yesterday, agent);
    await failFromManySources(admin.username, now);
    await failFromManySources(other.username, now);

    // Act
    const asAdmin = await login({ username: admin.username, password: admin.password }, now, agent);
    const asOther = login(
      { username: other.username, password: other.password as string },
      now,
      agent,
    );

    // Assess
    expect(asAdmin.role).toBe('companyAdmin');
    await expect(asOther).rejects.toMatchObject({ code: 'TOO_MANY_ATTEMPTS' });
  });
});

/** Two attempts from one source: one in a window, the other in the window after it. */
async function attemptsInTwoWindows(partnerName: string) {
  const { scope } = await newPartner(partnerName);
  const { admin } = await companyWithAdmin(scope);
  const source = '198.51.100.21';
  const start = new Date();
  const later = new Date(start.getTime() + WINDOW_MS + 1000);
  const attempt = { kind: 'login', username: admin.username, source } as const;
  const first = await reserveAttempt(attempt, start);
  const second = await reserveAttempt(attempt, later);
  if (!('ticket' in first) || !('ticket' in second)) throw new Error('Both attempts are allowed');
  return {
    username: admin.username,
    source,
    start,
    later,
    first: first.ticket,
    second: second.ticket,
  };
}

describe('the windows an attempt holds places in', () => {
  it('turns away an address over its limit without taking places in the username window', async () => {
    // Prepare
    const { scope } = await newPartner('Blocked IT');
    const { admin } = await companyWithAdmin(scope);
    const now = new Date();
    await failAttempts('login', admin.username, MAX_FAILURES, now, '198.51.100.9');

    const sent = vi.spyOn(documentClient, 'send');

    // Act
    const refused = await reserveAttempt(
      { kind: 'login', username: admin.username, source: '198.51.100.9' },
      now,
    );
    const writes = sent.mock.calls
      .map(([command]) => command as { constructor: { name: string }; input: { Key?: Key } })
      .filter((command) => command.constructor.name !== 'GetCommand')
      .map((command) => command.input.Key?.PK);
    sent.mockRestore();

    // Assess: only the source's window was written to (its place refused), never the username's.
    expect('refusal' in refused && refused.refusal.max).toBe(MAX_FAILURES);
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((pk) => pk?.startsWith('ATTEMPTS#login#FROM#'))).toBe(true);
    expect(await readFailureWindow('login', admin.username)).toMatchObject({
      failures: MAX_FAILURES,
      held: MAX_FAILURES,
    });
  });

  it('limits failed answers to 5 for the username from all addresses together', async () => {
    // Prepare: five addresses, one wrong answer each.
    const { scope } = await newPartner('Answer IT');
    const { admin } = await companyWithAdmin(scope);
    const now = new Date();
    for (let i = 0; i < MAX_FAILURES_PER_USERNAME.recover; i++) {
      await failAttempts('recover', admin.username, 1, now, `10.9.${i}.1`);
    }

    // Act
    const sixth = await reserveAttempt(
      { kind: 'recover', username: admin.username, source: '10.9.99.1' },
      now,
    );

    // Assess
    expect('refusal' in sixth && sixth.refusal.max).toBe(MAX_FAILURES_PER_USERNAME.recover);
  });

  it('counts a late failure only in the window its place was taken in', async () => {
    // Prepare: an attempt still being checked when its window ends and a new one opens.
    const { username, source, first: slow, later } = await attemptsInTwoWindows('Late IT');

    // Act
    await recordFailure(slow);
    const fresh = await readFailureWindow('login', username, source);

    // Assess
    expect(fresh).toEqual({ failures: 0, held: 1, windowStartsAt: later.toISOString() });
  });

  it("trusts the source on a right password without ending a newer window's attempts", async () => {
    // Prepare
    const attempts = await attemptsInTwoWindows('Newer IT');
    const { username, source, first: right, second: wrong, start, later } = attempts;

    // Act
    await endAttempt(right, start);
    await recordFailure(wrong);

    // Assess
    expect(await readFailureWindow('login', username, source)).toEqual({
      failures: 1,
      held: 1,
      windowStartsAt: later.toISOString(),
    });
    expect(await readTrustedUntil('login', username, source)).toBe(
      new Date(start.getTime() + TRUST_MS).toISOString(),
    );
  });
});

describe('logins that must fail', () => {
  it('refuses an account whose generated password has not been e-mailed yet, and counts it', async () => {
    // Prepare
    const { scope } = await newPartner('Pending IT');
    const { companyId } = await companyWithAdmin(scope);
    const user = await backupUser(scope, companyId);
    const stored = await getItem(keys.account(scope.partnerId, companyId, user.id));

    // Act
    const refusal = { status: 401, code: 'INVALID_CREDENTIALS' };
    await expect(login({ username: user.username, password: '' })).rejects.toMatchObject(refusal);
    await expect(
      login({ username: user.username, password: 'any-password-1' }),
    ).rejects.toMatchObject(refusal);

    // Assess
    expect(stored?.passwordHash).toBeNull();
    expect((await readFailureWindow('login', user.username))?.failures).toBe(2);
  });

  it('refuses a cancelled account its right password, the same way as an unknown username', async () => {
    // Prepare
    const { scope } = await newPartner('Cancel IT');
    const { companyId } = await companyWithAdmin(scope);
    const user = await backupUser(scope, companyId, { password: strongPassword() });
    const before = await login({ username: user.username, password: user.password as string });
    await cancelAccount(inCompany(scope, companyId), user.id);
    const unknownUsername = uniqueUsername('nobody');

    // Act
    // Both answered exactly as a wrong password is, so neither tells the account exists.
    const { status, code, detail } = invalidCredentials();
    await expect(
      login({ username: user.username, password: user.password as string }),
    ).rejects.toMatchObject({ status, code, detail });
    await expect(
      login({ username: unknownUsername, password: user.password as string }),
    ).rejects.toMatchObject({ status, code, detail });

    // Assess
    expect(before.role).toBe('backupUser');
    expect((await readFailureWindow('login', user.username))?.failures).toBe(1);
    expect((await readFailureWindow('login', unknownUsername))?.failures).toBe(1);
  });
});

describe('a password reset', () => {
  it('is delivered with a generated password, stored hashed, that opens a must-change session', async () => {
    // Prepare
    const { scope } = await newPartner('Reset IT');
    const { companyId, admin, email } = await companyWithAdmin(scope);
    const before = await login({ username: admin.username, password: admin.password });
    // A locked-out user is exactly who asks for a reset.
    await failAttempts('login', admin.username, MAX_FAILURES, new Date());
    await failAttempts('recover', admin.username, MAX_FAILURES, new Date());

    // Act
    const view = await resetPassword(inCompany(scope, companyId), admin.id);
    await expect(
      login({ username: admin.username, password: admin.password }),
    ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    const [messageId, ...others] = await outboxIdsFor(admin.id, 'password-reset');
    const outcome = await deliverOutboxMessage(messageId as string);
    const redelivered = await deliverOutboxMessage(messageId as string);
    const mails = await emailsTo(email);
    const temporary = passwordIn(mails[0]?.body.text ?? '') as string;
    const stored = await getItem(keys.account(scope.partnerId, companyId, admin.id));
    const session = await login({ username: admin.username, password: temporary });
    const oldSession = await principalForSession(before.token);
    const newSession = await principalForSession(session.token);

    // Assess
    expect(view.mustChangePassword).toBe(true);
    expect(others).toEqual([]);
    expect(outcome).toBe('sent');
    expect(redelivered).toBe('already-sent');
    // The welcome e-mail was never delivered here, so this is the reset alone.
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toContain(admin.username);
    expect(mails[0]?.subject).not.toContain(temporary);
    expect(temporary).toMatch(/^[A-Za-z2-9]{16}$/);
    expect(stored?.passwordHash).toMatch(/^scrypt\$/);
    expect(await verifySecret(temporary, stored?.passwordHash as string)).toBe(true);
    expect(stored?.mustChangePassword).toBe(true);
    expect(await scanForValue(temporary)).toEqual([]);
    expect(session).toMatchObject({ role: 'companyAdmin', mustChangePassword: true });
    expect(oldSession).toEqual({ kind: 'anonymous' });
    expect(newSession).toMatchObject({ kind: 'companyAdmin', mustChangePassword: true });
    // Lifted for every source: the old password was checked (401 above), not refused by the
    // source's full window, and the username's windows restarted at the reset, the one failure
    // since being that attempt.
    expect((await readFailureWindow('recover', admin.username))?.failures).toBe(0);
    expect((await readFailureWindow('login', admin.username))?.failures).toBe(1);
  });
  it('is not sent once the user has set a password of its own meanwhile', async () => {
    // Prepare
    const { scope } = await newPartner('Superseded IT');
    const { companyId, email } = await companyWithAdmin(scope);
    const user = await backupUser(scope, companyId, {
      password: strongPassword(),
      secretQuestion: 'Street?',
      secretAnswer: 'Elm',
    });
    await resetPassword(inCompany(scope, companyId), user.id);
    const chosen = strongPassword('Own');
    await recover({ username: user.username, secretAnswer: 'elm', newPassword: chosen });

    // Act
    const [messageId] = await outboxIdsFor(user.id, 'password-reset');
    const outcome = await deliverOutboxMessage(messageId as string);
    const again = await deliverOutboxMessage(messageId as string);
    const session = await login({ username: user.username, password: chosen });

    // Assess
    expect(outcome).toBe('superseded');
    expect(again).toBe('already-sent');
    expect(session.mustChangePassword).toBe(false);
    const resets = (await emailsTo(email)).filter((m) => m.subject.includes(user.username));
    expect(resets).toEqual([]);
  });
});

describe('principalForSession', () => {
  it('resolves a backup user from the partner record and drops it once the account is cancelled', async () => {
    // Prepare
    const { scope } = await newPartner('Fine IT', true);
    const { companyId } = await companyWithAdmin(scope);
    const user = await backupUser(scope, companyId, { password: strongPassword() });
    const { token } = await login({ username: user.username, password: user.password as string });
    const active = await principalForSession(token);

    // Act
    await cancelAccount(inCompany(scope, companyId), user.id);
    const afterCancel = await principalForSession(token);

    // Assess
    expect(active).toEqual({
      kind: 'backupUser',
      partnerId: scope.partnerId,
      partnerName: 'Fine IT',
      fineIncrements: true,
      companyId,
      accountId: user.id,
      mustChangePassword: true,
      expiresAtSeconds: expect.any(Number),
    });
    expect(afterCancel).toEqual({ kind: 'anonymous' });
  });

  it('ends the old session at a password change and resolves the new one without the restriction', async () => {
    // Prepare
    const { scope } = await newPartner('Change IT', true);
    const { companyId, admin } = await companyWithAdmin(scope);
    const first = await login({ username: admin.username, password: admin.password });
    const firstPrincipal = asSession(await principalForSession(first.token));
    const newPassword = strongPassword('New');

    // Act
    const changed = await changePassword(firstPrincipal, {
      currentPassword: admin.password,
      newPassword,
    });
    const oldToken = await principalForSession(first.token);
    const newToken = await principalForSession(changed.token);
    await expect(
      login({ username: admin.username, password: admin.password }),
    ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });

    // Assess
    expect(firstPrincipal).toMatchObject({ kind: 'companyAdmin', mustChangePassword: true });
    expect(changed).toMatchObject({ role: 'companyAdmin', mustChangePassword: false });
    expect(oldToken).toEqual({ kind: 'anonymous' });
    expect(newToken).toEqual({
      kind: 'companyAdmin',
      partnerId: scope.partnerId,
      partnerName: 'Change IT',
      fineIncrements: true,
      companyId,
      accountId: admin.id,
      mustChangePassword: false,
      actingPartnerId: null,
      actingStaffId: null,
      expiresAtSeconds: Date.parse(changed.expiresAt) / 1000,
    });
  });

  it('resolves an impersonation to the company admin, naming the partner, for at most an hour', async () => {
    // Prepare
    const { scope } = await newPartner('Acting IT');
    const { companyId, company } = await companyWithAdmin(scope);
    const other = await newPartner('Other IT');
    const now = new Date('2026-11-02T10:00:00.000Z');

    // Act
    const reply = await impersonate(inCompany(scope, companyId), now);
    const acting = await principalForSession(reply.token, new Date(now.getTime() + 1000));
    const expired = await principalForSession(
      reply.token,
      new Date(now.getTime() + 3600_000 + 1000),
    );
    await expect(impersonate(inCompany(other.scope, companyId), now)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      changePassword(asSession(acting), {
        currentPassword: 'irrelevant-pw',
        newPassword: strongPassword(),
      }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });

    // Assess
    expect(reply.companyId).toBe(companyId);
    expect(reply.expiresAt).toBe('2026-11-02T11:00:00.000Z');
    expect(acting).toEqual({
      kind: 'companyAdmin',
      partnerId: scope.partnerId,
      partnerName: 'Acting IT',
      fineIncrements: false,
      companyId,
      accountId: company.adminAccountId,
      mustChangePassword: false,
      actingPartnerId: scope.partnerId,
      actingStaffId: null,
      expiresAtSeconds: Date.parse(reply.expiresAt) / 1000,
    });
    expect(expired).toEqual({ kind: 'anonymous' });
  });

  it('names the staff member holding an impersonation, in the session and in its audit', async () => {
    // Prepare: a staff member's scope, as partnerScope makes it for a staff session.
    const partner = await newPartner('Staff Acting IT');
    const { staff } = await staffWithPassword(partner.partnerId, { role: 'operator' });
    const scope = { ...partner.scope, actor: `staff:${staff.id}` };
    const staffId = staff.id;
    const { companyId } = await companyWithAdmin(scope);
    const now = new Date();

    // Act
    const reply = await impersonate(inCompany(scope, companyId), now);
    const acting = await principalForSession(reply.token, new Date(now.getTime() + 1000));
    const actingScope = sessionScope(asSession(acting));

    // Assess
    expect(acting).toMatchObject({ kind: 'companyAdmin', actingPartnerId: scope.partnerId });
    expect(acting).toHaveProperty('actingStaffId', staffId);
    expect(actingScope.actor).toBe(scope.actor);
    expect(actingScope.actingAs).toBe(`admin-of-company:${companyId}`);
  });
});

describe('the signing key from SSM', () => {
  const claims = (): SessionClaims => ({
    role: 'backupUser',
    partnerId: ulid(),
    companyId: ulid(),
    accountId: ulid(),
    mustChangePassword: false,
    actingPartnerId: null,
    actingStaffId: null,
    passwordIssuedAt: new Date().toISOString(),
  });

  afterEach(() => {
    mockClient(SSMClient).restore();
    vi.unstubAllEnvs();
  });

  /** Powertools caches a parameter for 5 minutes per process: each test reads a name of its own. */
  const useSsmSecret = () => {
    const name = `/x/session-secret-${ulid()}`;
    vi.stubEnv('SESSION_SECRET', '');
    vi.stubEnv('SESSION_SECRET_PARAMETER', name);
    return name;
  };

  it('signs and verifies with the decrypted parameter, read once for a login and its session', async () => {
    // Prepare
    const { scope } = await newPartner('Ssm IT');
    const { companyId, admin } = await companyWithAdmin(scope);
    const name = useSsmSecret();
    const secret = randomBytes(32).toString('base64url');
    const ssm = mockClient(SSMClient);
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: name, Value: secret } });

    // Act
    const session = await login({ username: admin.username, password: admin.password });
    const principal = await principalForSession(session.token);
    const signedWithSecret = await jwtVerify(session.token, new TextEncoder().encode(secret));
    vi.unstubAllEnvs();
    const underEnvKey = await verifySession(session.token);

    // Assess
    const calls = ssm.commandCalls(GetParameterCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({ Name: name, WithDecryption: true });
    expect(principal).toMatchObject({ kind: 'companyAdmin', companyId, accountId: admin.id });
    expect(signedWithSecret.payload.sub).toBe(admin.id);
    // Signed with the SSM value, not with the SESSION_SECRET the test run also has.
    expect(underEnvKey).toBeNull();
  });

  it('fails loudly in an SSM outage instead of signing with an empty key or calling a token bad', async () => {
    // Prepare
    const valid = await issueSession(claims(), new Date(), 600);
    useSsmSecret();
    const ssm = mockClient(SSMClient);
    ssm
      .on(GetParameterCommand)
      .rejects(Object.assign(new Error('Service unavailable'), { name: 'InternalServerError' }));

    // Act
    const issued = issueSession(claims(), new Date(), 600);
    const verified = verifySession(valid.token);
    const resolved = principalForSession(valid.token);

    // Assess
    // The outage itself surfaces, not a signing error from a key made of nothing.
    await expect(issued).rejects.toThrow('Service unavailable');
    await expect(verified).rejects.toThrow('Service unavailable');
    await expect(resolved).rejects.toThrow('Service unavailable');
    expect(ssm.commandCalls(GetParameterCommand).length).toBeGreaterThan(0);
  });

  it('refuses a parameter too short to be a key, and a missing parameter name', async () => {
    // Prepare
    useSsmSecret();
    const ssm = mockClient(SSMClient);
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'short-secret' } });

    // Act
    await expect(issueSession(claims(), new Date(), 600)).rejects.toThrow(/at least 32 bytes/);
    vi.stubEnv('SESSION_SECRET_PARAMETER', '');
    await expect(issueSession(claims(), new Date(), 600)).rejects.toThrow(
      /Neither SESSION_SECRET nor/,
    );

    // Assess
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
  });
});

describe('what the table keeps', () => {
  it('holds no password, tried password, secret answer or token in plain after every flow', async () => {
    // Prepare
    const { scope } = await newPartner('Plain IT');
    const { companyId } = await companyWithAdmin(scope);
    const tag = randomBytes(6).toString('hex');
    const secretAnswer = `  Rex   The DOG ${tag} `;
    const initial = strongPassword('Ini');
    const user = await backupUser(scope, companyId, {
      password: initial,
      secretQuestion: 'First pet?',
      secretAnswer,
    });
    const wrongPassword = strongPassword('Bad');
    const wrongAnswer = `Felix the cat ${tag}`;
    const changedTo = strongPassword('Chg');
    const recoveredTo = strongPassword('Rec');

    // Act
    await expect(login({ username: user.username, password: wrongPassword })).rejects.toMatchObject(
      { code: 'INVALID_CREDENTIALS' },
    );
    const first = await login({ username: user.username, password: initial });
    const changed = await changePassword(asSession(await principalForSession(first.token)), {
      currentPassword: initial,
      newPassword: changedTo,
    });
    await expect(
      recover({ username: user.username, secretAnswer: wrongAnswer, newPassword: recoveredTo }),
    ).rejects.toMatchObject({ code: 'INVALID_SECRET_ANSWER' });
    await recover({
      username: user.username,
      secretAnswer: `rex the dog ${tag}`,
      newPassword: recoveredTo,
    });
    const afterRecovery = await login({ username: user.username, password: recoveredTo });
    const changedSession = await principalForSession(changed.token);
    const plain = [
      initial,
      wrongPassword,
      changedTo,
      recoveredTo,
      secretAnswer.trim(),
      `rex the dog ${tag}`,
      wrongAnswer,
      first.token,
      changed.token,
      afterRecovery.token,
    ];
    const found = await Promise.all(plain.map((value) => scanForValue(value)));

    // Assess
    expect(afterRecovery.mustChangePassword).toBe(false);
    // A recovery ends earlier sessions as a change or reset does.
    expect(changedSession).toEqual({ kind: 'anonymous' });
    expect(found.map((items, i) => (items.length > 0 ? plain[i] : null))).toEqual(
      plain.map(() => null),
    );
    const stored = await getItem(keys.account(scope.partnerId, companyId, user.id));
    expect(await verifySecret(`rex the dog ${tag}`, stored?.secretAnswerHash as string)).toBe(true);
    expect(await scanForValue(tag)).toEqual([]);
  });
});
