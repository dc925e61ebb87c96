/**
 * Sessions through the gateway and the real authorizer: first login, password changes, expiry,
 * recovery, UltraSafe, impersonation and what each role may do. The rules (rate-limit windows,
 * token claims, hashing) are the unit and use-case tests'; here, the flows across the routes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { call, createAccount, createCompany, firstLogin, login } from '../../support/gateway.ts';
import {
  expectProblem,
  GB,
  strongPassword,
  temporaryPasswordIn,
  uniqueName,
} from '../../support/http-fixtures.ts';
import { agePassword, mailTo, newPartner, type Partner } from './support.ts';

let partner: Partner;

beforeAll(async () => {
  partner = await newPartner('Identity IT');
});

/** A company whose admin and one backup user were given temporary passwords by the partner. */
async function companyWithUser() {
  const adminPassword = strongPassword('Adm');
  const created = await createCompany(partner.apiKey, {
    quotaMb: 25 * GB,
    admin: { password: adminPassword, hardQuotaMb: 10 * GB },
  });
  const userPassword = strongPassword('Usr');
  const user = await createAccount(partner.apiKey, created.company.id, {
    plan: 'basic',
    password: userPassword,
  });
  return {
    companyId: created.company.id as string,
    email: created.email,
    admin: {
      id: created.account.id as string,
      username: created.username,
      password: adminPassword,
    },
    user: {
      id: user.account.id as string,
      username: user.account.username as string,
      password: userPassword,
    },
  };
}

const resetPassword = (companyId: string, accountId: string, token = partner.apiKey) =>
  call('POST', `/v1/companies/${companyId}/accounts/${accountId}/password-reset`, { token });

describe('first login with a temporary password', () => {
  it('opens a session that may only change the password, then gives normal access', async () => {
    // Prepare
    const { user } = await companyWithUser();

    // Act
    const first = await login(user.username.toUpperCase(), user.password);
    const token = first.body.token as string;
    const meBefore = await call('GET', '/v1/me', { token });
    const quotaBefore = await call('PATCH', '/v1/me', { token, body: { userQuotaMb: 2048 } });
    const weak = await call('POST', '/v1/auth/password', {
      token,
      body: { currentPassword: user.password, newPassword: user.username },
    });
    const wrongCurrent = await call('POST', '/v1/auth/password', {
      token,
      body: { currentPassword: 'not-the-password', newPassword: strongPassword() },
    });
    const newPassword = strongPassword('Mine');
    const changed = await call('POST', '/v1/auth/password', {
      token,
      body: { currentPassword: user.password, newPassword },
    });
    const meAfter = await call('GET', '/v1/me', { token: changed.body.token });
    const oldSession = await call('GET', '/v1/me', { token });
    const oldPassword = await login(user.username, user.password);

    // Assess
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ role: 'backupUser', mustChangePassword: true });
    expect(Date.parse(first.body.expiresAt)).toBeGreaterThan(Date.now());
    expectProblem(meBefore, 403, 'PASSWORD_CHANGE_REQUIRED');
    expectProblem(quotaBefore, 403, 'PASSWORD_CHANGE_REQUIRED');
    expect(expectProblem(weak, 422, 'WEAK_PASSWORD').errors[0].path).toBe('newPassword');
    const wrong = expectProblem(wrongCurrent, 422, 'INVALID_CURRENT_PASSWORD');
    expect(wrong.errors[0].path).toBe('currentPassword');
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ role: 'backupUser', mustChangePassword: false });
    expect(meAfter.body).toMatchObject({ id: user.id, mustChangePassword: false });
    expectProblem(oldSession, 401, 'UNAUTHORIZED');
    expectProblem(oldPassword, 401, 'INVALID_CREDENTIALS');
  });

  it('works with the password generated and e-mailed at creation', async () => {
    // Prepare
    const created = await createCompany(partner.apiKey);
    const temporary = temporaryPasswordIn(await mailTo(partner.partnerId, created.email));

    // Act
    const first = await login(created.username, temporary);

    // Assess
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ role: 'companyAdmin', mustChangePassword: true });
  });

  it('answers a repeated login with the same Idempotency-Key with the same session', async () => {
    // Prepare
    const { user } = await companyWithUser();
    const key = uniqueName('login-key-');
    const attempt = (password: string) =>
      call('POST', '/v1/auth/login', {
        body: { username: user.username, password },
        headers: { 'idempotency-key': key },
      });

    // Act
    const first = await attempt(user.password);
    const repeat = await attempt(user.password);
    const other = await attempt('not the password');

    // Assess
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(repeat.body).toEqual(first.body);
    expectProblem(other, 422, 'IDEMPOTENCY_KEY_REUSED');
  });
});

describe('temporary passwords and the failed-login limit', () => {
  it('refuses an expired temporary password and a guessing address until the partner resets it', async () => {
    // Prepare: the user's agent logs in from 127.0.0.3; someone guesses from 127.0.0.2.
    const { companyId, email, user } = await companyWithUser();
    const agent = '127.0.0.3';
    expect((await login(user.username, user.password, agent)).status).toBe(200);
    const guesses = [];
    for (let i = 0; i < 5; i++) {
      guesses.push(await login(user.username, `wrong-${i}-password`, '127.0.0.2'));
    }

    // Act
    const guesser = await login(user.username, user.password, '127.0.0.2');
    const fromAgent = await login(user.username, user.password, agent);
    await agePassword(user.id, 7);
    const expired = await login(user.username, user.password, agent);
    const reset = await resetPassword(companyId, user.id);
    const mail = await mailTo(
      partner.partnerId,
      email,
      `New temporary password for ${user.username}`,
    );
    const fresh = await login(user.username, temporaryPasswordIn(mail), '127.0.0.2');

    // Assess
    for (const reply of guesses) expectProblem(reply, 401, 'INVALID_CREDENTIALS');
    expectProblem(guesser, 429, 'TOO_MANY_ATTEMPTS');
    const retryAfter = Number(guesser.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(1);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(fromAgent.status, JSON.stringify(fromAgent.body)).toBe(200);
    expectProblem(expired, 401, 'TEMPORARY_PASSWORD_EXPIRED');
    expect(reset.status, JSON.stringify(reset.body)).toBe(202);
    expect(reset.body).toMatchObject({ id: user.id, mustChangePassword: true });
    expect(fresh.status, JSON.stringify(fresh.body)).toBe(200);
    expect(fresh.body.mustChangePassword).toBe(true);
  });
});

describe('recovery with the secret answer', () => {
  it('refuses a wrong answer like an unknown user, and sets the new password on the right one', async () => {
    // Prepare
    const { companyId, admin } = await companyWithUser();
    const password = strongPassword();
    const { account } = await createAccount(partner.apiKey, companyId, {
      parentId: admin.id,
      password,
      secretQuestion: 'First pet?',
      secretAnswer: 'Mr  Whiskers',
    });
    const newPassword = strongPassword('Rec');
    const recover = (username: string, secretAnswer: string, chosen = newPassword) =>
      call('POST', '/v1/auth/recover', { body: { username, secretAnswer, newPassword: chosen } });

    // Act
    const wrong = await recover(account.username, 'Rex');
    const unknown = await recover(uniqueName('nobody.'), 'Rex');
    const weak = await recover(account.username, 'mr whiskers', 'short');
    const right = await recover(account.username, '  mr whiskers ');
    const after = await login(account.username, newPassword);
    const old = await login(account.username, password);

    // Assess
    expectProblem(wrong, 401, 'INVALID_SECRET_ANSWER');
    expect(expectProblem(unknown, 401, 'INVALID_SECRET_ANSWER').detail).toBe(wrong.body.detail);
    expectProblem(weak, 422, 'WEAK_PASSWORD');
    expect(right.status, JSON.stringify(right.body)).toBe(204);
    expect(after.body.mustChangePassword).toBe(false);
    expectProblem(old, 401, 'INVALID_CREDENTIALS');
  });
});

describe('UltraSafe accounts', () => {
  it('can never be reset, recovered or switched off; only its user changes the password', async () => {
    // Prepare
    const { companyId, admin } = await companyWithUser();
    const password = strongPassword();
    const { account } = await createAccount(partner.apiKey, companyId, {
      parentId: admin.id,
      password,
      ultraSafe: true,
    });
    const path = `/v1/companies/${companyId}/accounts/${account.id}`;
    const adminSession = await firstLogin(admin.username, admin.password);
    const userSession = await firstLogin(account.username, password);

    // Act
    const byPartner = await resetPassword(companyId, account.id);
    const byAdmin = await resetPassword(companyId, account.id, adminSession.token);
    const recovered = await call('POST', '/v1/auth/recover', {
      body: { username: account.username, secretAnswer: 'anything', newPassword: strongPassword() },
    });
    const toggledByAdmin = await call('PATCH', path, {
      token: adminSession.token,
      body: { ultraSafe: false },
    });
    const toggledByUser = await call('PATCH', '/v1/me', {
      token: userSession.token,
      body: { ultraSafe: false },
    });
    const mine = strongPassword('Own');
    const changedByUser = await call('POST', '/v1/auth/password', {
      token: userSession.token,
      body: { currentPassword: userSession.password, newPassword: mine },
    });

    // Assess
    expectProblem(byPartner, 409, 'UNRECOVERABLE_ACCOUNT');
    expectProblem(byAdmin, 409, 'UNRECOVERABLE_ACCOUNT');
    expectProblem(recovered, 409, 'UNRECOVERABLE_ACCOUNT');
    expectProblem(toggledByAdmin, 409, 'ULTRASAFE_IMMUTABLE');
    expectProblem(toggledByUser, 400, 'VALIDATION_FAILED');
    expect(changedByUser.status).toBe(200);
    expect((await login(account.username, mine)).status).toBe(200);
  });
});

describe('login as company admin', () => {
  it('gives a one-hour company-admin session, scoped to the company and audited', async () => {
    // Prepare
    const { companyId, admin } = await companyWithUser();
    const sibling = await createCompany(partner.apiKey);

    // Act
    const started = await call('POST', `/v1/companies/${companyId}/impersonate`, {
      token: partner.apiKey,
    });
    const token = started.body.token as string;
    const created = await call('POST', `/v1/companies/${companyId}/accounts`, {
      token,
      body: { username: uniqueName('made.'), parentId: admin.id },
    });
    const siblingCompany = await call('GET', `/v1/companies/${sibling.company.id}`, { token });
    const companies = await call('GET', '/v1/companies', { token });
    const poolResize = await call('PATCH', `/v1/companies/${companyId}`, {
      token,
      body: { quotaMb: 50 * GB },
    });
    const auditAsAdmin = await call('GET', '/v1/audit?limit=100', { token });
    const auditAsPartner = await call('GET', '/v1/audit?limit=100', { token: partner.apiKey });

    // Assess
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body.companyId).toBe(companyId);
    const lifetime = Date.parse(started.body.expiresAt) - Date.now();
    expect(lifetime).toBeGreaterThan(50 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(60 * 60_000);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expectProblem(siblingCompany, 404, 'NOT_FOUND');
    expectProblem(companies, 403, 'FORBIDDEN');
    expectProblem(poolResize, 403, 'FORBIDDEN');
    const asAdmin = auditAsAdmin.body.items as any[];
    expect(asAdmin.every((entry) => entry.companyId === companyId)).toBe(true);
    expect(asAdmin.find((entry) => entry.targetId === created.body.account.id)).toMatchObject({
      action: 'account.create',
      // A key's impersonation is recorded as its partner; a staff member's names the member.
      actor: `partner:${partner.partnerId}`,
      actingAs: `admin-of-company:${companyId}`,
    });
    expect(asAdmin.some((entry) => entry.action === 'company.impersonate')).toBe(true);
    const partnerView = (auditAsPartner.body.items as any[]).find(
      (entry) => entry.targetId === created.body.account.id,
    );
    expect(partnerView).toMatchObject({ actingAs: `admin-of-company:${companyId}` });
  });
});

describe('roles', () => {
  it('lets a company admin size accounts within the pool, but not the pool or the licences', async () => {
    // Prepare
    const { companyId, admin, user } = await companyWithUser();
    const { token } = await firstLogin(admin.username, admin.password);
    const accountPath = `/v1/companies/${companyId}/accounts/${user.id}`;

    // Act
    const resized = await call('PATCH', accountPath, { token, body: { hardQuotaMb: 10 * GB } });
    const tooBig = await call('PATCH', accountPath, { token, body: { hardQuotaMb: 100 * GB } });
    const licences = await call('PATCH', `/v1/companies/${companyId}`, {
      token,
      body: { licenses: { egr: 5 }, endGuard: true },
    });

    // Assess
    expect(resized.status, JSON.stringify(resized.body)).toBe(200);
    expect(resized.body.hardQuotaMb).toBe(10 * GB);
    expectProblem(tooBig, 409, 'POOL_EXCEEDED');
    expectProblem(licences, 403, 'FORBIDDEN');
  });

  it('lets a backup user set its own quota, within the account and back to none', async () => {
    // Prepare
    const { user } = await companyWithUser();
    const { token } = await firstLogin(user.username, user.password);

    // Act
    const me = await call('GET', '/v1/me', { token });
    const quota = await call('PATCH', '/v1/me', { token, body: { userQuotaMb: 1024 } });
    const unlimited = await call('PATCH', '/v1/me', { token, body: { userQuotaMb: null } });

    // Assess
    expect(me.body).toMatchObject({ id: user.id, plan: 'basic', usedMb: 0, trialEndsAt: null });
    expect(quota.body).toMatchObject({ userQuotaMb: 1024, effectiveQuotaMb: 1024 });
    expect(unlimited.body).toMatchObject({ userQuotaMb: null });
    expect(unlimited.body.effectiveQuotaMb).toBe(unlimited.body.hardQuotaMb);
  });
});
