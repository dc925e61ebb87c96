import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAccount,
  createCompany,
  drainOutbox,
  expectProblem,
  firstLogin,
  GB,
  login,
  newPartners,
  type Partner,
  session,
  strongPassword,
  temporaryPasswordIn,
} from './fixtures.ts';
import { agePassword, call, uniqueName, waitForEmail } from './helpers.ts';

let partner: Partner;

beforeAll(async () => {
  [partner] = (await newPartners('Identity IT')) as [Partner];
});

afterAll(() => drainOutbox(), 120_000);

/** A company whose admin and one backup user were given temporary passwords by the partner. */
async function companyWithUser(options: { admin?: Record<string, unknown> } = {}) {
  const adminPassword = strongPassword('Adm');
  const created = await createCompany(partner.apiKey, {
    quotaMb: 25 * GB,
    admin: { password: adminPassword, hardQuotaMb: 10 * GB, ...options.admin },
  });
  const userPassword = strongPassword('Usr');
  const user = await createAccount(partner.apiKey, created.company.id, {
    plan: 'basic',
    password: userPassword,
  });
  return {
    companyId: created.company.id as string,
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

describe('first login with a temporary password', () => {
  it('opens a session that may only change the password, then gives normal access', async () => {
    // Prepare
    const { user } = await companyWithUser();

    // Act
    const first = await login(user.username.toUpperCase(), user.password);
    const meBefore = await call('GET', '/v1/me', { token: first.body.token });
    const quotaBefore = await call('PATCH', '/v1/me', {
      token: first.body.token,
      body: { userQuotaMb: 2048 },
    });
    const newPassword = strongPassword('Mine');
    const changed = await call('POST', '/v1/auth/password', {
      token: first.body.token,
      body: { currentPassword: user.password, newPassword },
    });
    const meAfter = await call('GET', '/v1/me', { token: changed.body.token });
    const oldSession = await call('GET', '/v1/me', { token: first.body.token });
    const again = await login(user.username, newPassword);
    const oldPassword = await login(user.username, user.password);

    // Assess
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      token: expect.any(String),
      expiresAt: expect.any(String),
      role: 'backupUser',
      mustChangePassword: true,
    });
    expect(Date.parse(first.body.expiresAt)).toBeGreaterThan(Date.now());
    expectProblem(meBefore, 403, 'PASSWORD_CHANGE_REQUIRED');
    expectProblem(quotaBefore, 403, 'PASSWORD_CHANGE_REQUIRED');
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ role: 'backupUser', mustChangePassword: false });
    expect(meAfter.status).toBe(200);
    expect(meAfter.body).toMatchObject({
      id: user.id,
      username: user.username,
      mustChangePassword: false,
    });
    expectProblem(oldSession, 401, 'UNAUTHORIZED');
    expect(again.status).toBe(200);
    expect(again.body.mustChangePassword).toBe(false);
    expectProblem(oldPassword, 401, 'INVALID_CREDENTIALS');
  });

  it('works with the password generated and e-mailed at creation', async () => {
    // Prepare
    const created = await createCompany(partner.apiKey);
    const temporary = temporaryPasswordIn(await waitForEmail(created.email));

    // Act
    const first = await login(created.username, temporary);

    // Assess
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ role: 'companyAdmin', mustChangePassword: true });
  });

  it('refuses a new password that breaks the policy, naming the field', async () => {
    // Prepare
    const { user } = await companyWithUser();
    const first = await session(user.username, user.password);

    // Act
    const replies = await Promise.all(
      ['short', 'password123', user.username, user.password].map((newPassword) =>
        call('POST', '/v1/auth/password', {
          token: first.token,
          body: { currentPassword: user.password, newPassword },
        }),
      ),
    );
    const wrongCurrent = await call('POST', '/v1/auth/password', {
      token: first.token,
      body: { currentPassword: 'not-the-password', newPassword: strongPassword() },
    });

    // Assess
    for (const reply of replies) {
      const problem = expectProblem(reply, 422, 'WEAK_PASSWORD');
      expect(problem.errors.map((e: { path: string }) => e.path)).toContain('newPassword');
    }
    const problem = expectProblem(wrongCurrent, 422, 'INVALID_CURRENT_PASSWORD');
    expect(problem.errors[0].path).toBe('currentPassword');
  });
});

describe('Idempotency-Key on a login', () => {
  it('answers a repeat with the same session, and another password with 422', async () => {
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
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual(first.body);
    expectProblem(other, 422, 'IDEMPOTENCY_KEY_REUSED');
  });
});

describe('temporary password expiry', () => {
  it('refuses a temporary password after 7 days until a new one is issued', async () => {
    // Prepare
    const { companyId, user } = await companyWithUser();
    await agePassword(user.id, 7);

    // Act
    const expired = await login(user.username, user.password);
    const reset = await call(
      'POST',
      `/v1/companies/${companyId}/accounts/${user.id}/password-reset`,
      { token: partner.apiKey },
    );
    const mail = await resetEmail(companyId, user.username);
    const fresh = await login(user.username, temporaryPasswordIn(mail));

    // Assess
    expectProblem(expired, 401, 'TEMPORARY_PASSWORD_EXPIRED');
    expect(reset.status, JSON.stringify(reset.body)).toBe(202);
    expect(reset.body).toMatchObject({ id: user.id, mustChangePassword: true });
    expect(mail.subject).toMatch(/temporary password/i);
    expect(fresh.status).toBe(200);
    expect(fresh.body.mustChangePassword).toBe(true);
  });
});

/** The reset e-mail for a username, sent to the company's contact (accounts here share it). */
async function resetEmail(companyId: string, username: string) {
  const contacts = await call('GET', `/v1/companies/${companyId}/contacts`, {
    token: partner.apiKey,
  });
  return waitForEmail(contacts.body.items[0].email, {
    subject: `New temporary password for ${username}`,
  });
}

describe('wrong passwords and the rate limit', () => {
  it('answers 401 five times, then 429 with Retry-After, even to the right password', async () => {
    // Prepare
    const { user } = await companyWithUser();

    // Act
    const wrong = [];
    for (let i = 0; i < 5; i++) wrong.push(await login(user.username, `wrong-${i}-password`));
    const blocked = await login(user.username, user.password);

    // Assess
    for (const reply of wrong) expectProblem(reply, 401, 'INVALID_CREDENTIALS');
    expectProblem(blocked, 429, 'TOO_MANY_ATTEMPTS');
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
  });

  it('treats an unknown username exactly like a known one', async () => {
    // Prepare
    const { user } = await companyWithUser();
    const unknown = uniqueName('nobody.');

    // Act
    const known = await login(user.username, 'wrong-password-1');
    const missing = await login(unknown, 'wrong-password-1');
    for (let i = 0; i < 4; i++) await login(unknown, `wrong-${i}-password`);
    const blocked = await login(unknown, 'wrong-password-1');

    // Assess
    expect(missing.status).toBe(known.status);
    expect(missing.body.code).toBe(known.body.code);
    expect(missing.body.detail).toBe(known.body.detail);
    expectProblem(blocked, 429, 'TOO_MANY_ATTEMPTS');
    expect(blocked.headers.get('retry-after')).toBeTruthy();
  });

  it("blocks the guessing address, not the user's own machine elsewhere", async () => {
    // Prepare: the user's agent logs in from 127.0.0.3; someone guesses from 127.0.0.2.
    const { user } = await companyWithUser();
    const agent = '127.0.0.3';
    const first = await login(user.username, user.password, agent);
    const guesses = [];
    for (let i = 0; i < 5; i++) {
      guesses.push(await login(user.username, `wrong-${i}-password`, '127.0.0.2'));
    }

    // Act
    const guesser = await login(user.username, user.password, '127.0.0.2');
    const fromAgent = await login(user.username, user.password, agent);

    // Assess
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    for (const reply of guesses) expectProblem(reply, 401, 'INVALID_CREDENTIALS');
    expectProblem(guesser, 429, 'TOO_MANY_ATTEMPTS');
    expect(Number(guesser.headers.get('retry-after'))).toBeGreaterThan(1);
    expect(fromAgent.status, JSON.stringify(fromAgent.body)).toBe(200);
  });

  it('lifts the limit when the partner resets the password', async () => {
    // Prepare
    const { companyId, user } = await companyWithUser();
    for (let i = 0; i < 5; i++) await login(user.username, `wrong-${i}-password`);
    expect((await login(user.username, user.password)).status).toBe(429);

    // Act
    const reset = await call(
      'POST',
      `/v1/companies/${companyId}/accounts/${user.id}/password-reset`,
      { token: partner.apiKey },
    );
    const mail = await resetEmail(companyId, user.username);
    const after = await login(user.username, temporaryPasswordIn(mail));

    // Assess
    expect(reset.status).toBe(202);
    expect(after.status, JSON.stringify(after.body)).toBe(200);
  });
});

describe('recovery with the secret answer', () => {
  it('refuses a wrong answer and sets the new password on the right one', async () => {
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

    // Act
    const wrong = await call('POST', '/v1/auth/recover', {
      body: { username: account.username, secretAnswer: 'Rex', newPassword },
    });
    const unknown = await call('POST', '/v1/auth/recover', {
      body: { username: uniqueName('nobody.'), secretAnswer: 'Rex', newPassword },
    });
    const weak = await call('POST', '/v1/auth/recover', {
      body: { username: account.username, secretAnswer: 'mr whiskers', newPassword: 'short' },
    });
    const right = await call('POST', '/v1/auth/recover', {
      body: { username: account.username, secretAnswer: '  mr whiskers ', newPassword },
    });
    const after = await login(account.username, newPassword);
    const old = await login(account.username, password);

    // Assess
    expectProblem(wrong, 401, 'INVALID_SECRET_ANSWER');
    expectProblem(unknown, 401, 'INVALID_SECRET_ANSWER');
    expect(unknown.body.detail).toBe(wrong.body.detail);
    expectProblem(weak, 422, 'WEAK_PASSWORD');
    expect(right.status, JSON.stringify(right.body)).toBe(204);
    expect(after.status).toBe(200);
    expect(after.body.mustChangePassword).toBe(false);
    expectProblem(old, 401, 'INVALID_CREDENTIALS');
  });

  it('limits failed answers per username with Retry-After', async () => {
    // Prepare
    const { companyId, admin } = await companyWithUser();
    const { account } = await createAccount(partner.apiKey, companyId, {
      parentId: admin.id,
      password: strongPassword(),
      secretQuestion: 'City?',
      secretAnswer: 'Oslo',
    });
    const attempt = (secretAnswer: string) =>
      call('POST', '/v1/auth/recover', {
        body: { username: account.username, secretAnswer, newPassword: strongPassword() },
      });

    // Act
    for (let i = 0; i < 5; i++) await attempt(`Bergen ${i}`);
    const blocked = await attempt('Oslo');

    // Assess
    expectProblem(blocked, 429, 'TOO_MANY_ATTEMPTS');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('UltraSafe accounts', () => {
  it('refuse a secret question at creation, on a company admin and on an account', async () => {
    // Prepare
    const { companyId } = await companyWithUser();

    // Act
    const company = await call('POST', '/v1/companies', {
      token: partner.apiKey,
      body: {
        name: 'Vault Co',
        contact: { fullName: 'V', email: 'v@vault.example' },
        admin: {
          username: uniqueName('vault.'),
          plan: 'select',
          ultraSafe: true,
          secretQuestion: 'Q?',
          secretAnswer: 'A',
        },
      },
    });
    const account = await call('POST', `/v1/companies/${companyId}/accounts`, {
      token: partner.apiKey,
      body: {
        username: uniqueName('vault.'),
        plan: 'select',
        ultraSafe: true,
        secretQuestion: 'Q?',
        secretAnswer: 'A',
      },
    });

    // Assess
    expectProblem(company, 422, 'ULTRASAFE_NO_SECRET_QUESTION');
    expectProblem(account, 422, 'ULTRASAFE_NO_SECRET_QUESTION');
  });

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
    const byPartner = await call('POST', `${path}/password-reset`, { token: partner.apiKey });
    const byAdmin = await call('POST', `${path}/password-reset`, { token: adminSession.token });
    const recovered = await call('POST', '/v1/auth/recover', {
      body: { username: account.username, secretAnswer: 'anything', newPassword: strongPassword() },
    });
    const toggledByPartner = await call('PATCH', path, {
      token: partner.apiKey,
      body: { ultraSafe: false },
    });
    const toggledByAdmin = await call('PATCH', path, {
      token: adminSession.token,
      body: { ultraSafe: false },
    });
    const toggledOnCompany = await call('PATCH', `/v1/companies/${companyId}`, {
      token: partner.apiKey,
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
    const fetched = await call('GET', path, { token: partner.apiKey });

    // Assess
    expectProblem(byPartner, 409, 'UNRECOVERABLE_ACCOUNT');
    expectProblem(byAdmin, 409, 'UNRECOVERABLE_ACCOUNT');
    expectProblem(recovered, 409, 'UNRECOVERABLE_ACCOUNT');
    expectProblem(toggledByPartner, 409, 'ULTRASAFE_IMMUTABLE');
    expectProblem(toggledByAdmin, 409, 'ULTRASAFE_IMMUTABLE');
    expectProblem(toggledByUser, 400, 'VALIDATION_FAILED');
    expectProblem(toggledOnCompany, 400, 'VALIDATION_FAILED');
    expect(changedByUser.status).toBe(200);
    expect((await login(account.username, mine)).status).toBe(200);
    expect(fetched.body).toMatchObject({ ultraSafe: true, hasSecretQuestion: false });
  });
});

describe('login as company admin', () => {
  it('gives a one-hour company-admin session, scoped to the company and audited', async () => {
    // Prepare
    const [partnerB] = (await newPartners('Other IT')) as [Partner];
    const { companyId, admin } = await companyWithUser();
    const sibling = await createCompany(partner.apiKey);
    const foreign = await createCompany(partnerB.apiKey);

    // Act
    const started = await call('POST', `/v1/companies/${companyId}/impersonate`, {
      token: partner.apiKey,
    });
    const token = started.body.token as string;
    const own = await call('GET', `/v1/companies/${companyId}`, { token });
    const created = await call('POST', `/v1/companies/${companyId}/accounts`, {
      token,
      body: { username: uniqueName('made.'), parentId: admin.id },
    });
    const siblingCompany = await call('GET', `/v1/companies/${sibling.company.id}`, { token });
    const siblingAccounts = await call('GET', `/v1/companies/${sibling.company.id}/accounts`, {
      token,
    });
    const foreignCompany = await call('GET', `/v1/companies/${foreign.company.id}`, { token });
    const companies = await call('GET', '/v1/companies', { token });
    const poolResize = await call('PATCH', `/v1/companies/${companyId}`, {
      token,
      body: { quotaMb: 50 * GB },
    });
    const auditAsAdmin = await call('GET', '/v1/audit?limit=100', { token });
    const resumed = await call('GET', '/v1/companies', { token: partner.apiKey });
    const auditAsPartner = await call('GET', '/v1/audit?limit=100', { token: partner.apiKey });

    // Assess
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body.companyId).toBe(companyId);
    const lifetime = Date.parse(started.body.expiresAt) - Date.now();
    expect(lifetime).toBeGreaterThan(50 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(60 * 60_000);
    expect(own.status).toBe(200);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expectProblem(siblingCompany, 404, 'NOT_FOUND');
    expectProblem(siblingAccounts, 404, 'NOT_FOUND');
    expectProblem(foreignCompany, 404, 'NOT_FOUND');
    expectProblem(companies, 403, 'FORBIDDEN');
    expectProblem(poolResize, 403, 'FORBIDDEN');
    expect(resumed.status).toBe(200);

    const asAdmin = auditAsAdmin.body.items;
    expect(asAdmin.every((e: { companyId: string }) => e.companyId === companyId)).toBe(true);
    const creation = asAdmin.find(
      (e: { action: string; targetId: string }) =>
        e.action === 'account.create' && e.targetId === created.body.account.id,
    );
    expect(creation).toMatchObject({
      actor: `partner:${partner.partnerId}`,
      actingAs: `admin-of-company:${companyId}`,
    });
    expect(asAdmin.some((e: { action: string }) => e.action === 'company.impersonate')).toBe(true);
    const partnerView = auditAsPartner.body.items.find(
      (e: { targetId: string }) => e.targetId === created.body.account.id,
    );
    expect(partnerView).toMatchObject({ actingAs: `admin-of-company:${companyId}` });
  });

  it("is refused for another partner's company", async () => {
    // Prepare
    const [partnerB] = (await newPartners('Third IT')) as [Partner];
    const foreign = await createCompany(partnerB.apiKey);

    // Act
    const reply = await call('POST', `/v1/companies/${foreign.company.id}/impersonate`, {
      token: partner.apiKey,
    });

    // Assess
    expectProblem(reply, 404, 'NOT_FOUND');
  });
});

describe('roles', () => {
  it('lets a company admin manage its accounts within the pool, but not the pool', async () => {
    // Prepare
    const { companyId, admin, user } = await companyWithUser();
    const other = await createCompany(partner.apiKey);
    const { token } = await firstLogin(admin.username, admin.password);
    const accountPath = `/v1/companies/${companyId}/accounts/${user.id}`;

    // Act
    const list = await call('GET', `/v1/companies/${companyId}/accounts`, { token });
    const resized = await call('PATCH', accountPath, { token, body: { hardQuotaMb: 10 * GB } });
    const tooBig = await call('PATCH', accountPath, { token, body: { hardQuotaMb: 100 * GB } });
    const pool = await call('PATCH', `/v1/companies/${companyId}`, {
      token,
      body: { quotaMb: 100 * GB },
    });
    const licences = await call('PATCH', `/v1/companies/${companyId}`, {
      token,
      body: { licenses: { egr: 5 }, endGuard: true },
    });
    const otherCompany = await call('GET', `/v1/companies/${other.company.id}/accounts`, {
      token,
    });
    const cancelCompany = await call('DELETE', `/v1/companies/${companyId}`, { token });

    // Assess
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBe(2);
    expect(resized.status, JSON.stringify(resized.body)).toBe(200);
    expect(resized.body.hardQuotaMb).toBe(10 * GB);
    expectProblem(tooBig, 409, 'POOL_EXCEEDED');
    expectProblem(pool, 403, 'FORBIDDEN');
    expectProblem(licences, 403, 'FORBIDDEN');
    expectProblem(otherCompany, 404, 'NOT_FOUND');
    expectProblem(cancelCompany, 403, 'FORBIDDEN');
  });

  it('keeps a backup user to its own account', async () => {
    // Prepare
    const { companyId, admin, user } = await companyWithUser();
    const { token } = await firstLogin(user.username, user.password);

    // Act
    const me = await call('GET', '/v1/me', { token });
    const quota = await call('PATCH', '/v1/me', { token, body: { userQuotaMb: 1024 } });
    const unlimited = await call('PATCH', '/v1/me', { token, body: { userQuotaMb: null } });
    const otherAccount = await call('GET', `/v1/companies/${companyId}/accounts/${admin.id}`, {
      token,
    });
    const changeOther = await call('PATCH', `/v1/companies/${companyId}/accounts/${admin.id}`, {
      token,
      body: { hardQuotaMb: 5 * GB },
    });
    const partnerRoutes = await Promise.all([
      call('GET', '/v1/companies', { token }),
      call('GET', `/v1/companies/${companyId}`, { token }),
      call('GET', '/v1/audit', { token }),
      call('POST', `/v1/companies/${companyId}/impersonate`, { token }),
      call('POST', '/v1/usage-reports', { token, body: { reports: [] } }),
    ]);

    // Assess
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      id: user.id,
      plan: 'basic',
      features: expect.any(Object),
      usedMb: 0,
      trialEndsAt: null,
    });
    expect(quota.status, JSON.stringify(quota.body)).toBe(200);
    expect(quota.body).toMatchObject({ userQuotaMb: 1024, effectiveQuotaMb: 1024 });
    expect(unlimited.body).toMatchObject({ userQuotaMb: null });
    expect(unlimited.body.effectiveQuotaMb).toBe(unlimited.body.hardQuotaMb);
    expectProblem(otherAccount, 403, 'FORBIDDEN');
    expectProblem(changeOther, 403, 'FORBIDDEN');
    for (const reply of partnerRoutes) expectProblem(reply, 403, 'FORBIDDEN');
  });
});
