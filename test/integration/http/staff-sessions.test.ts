/**
 * Staff sign-in through the gateway and the real authorizer: the staff login, its rate limit,
 * the temporary password's change, TOTP enrolment, codes accepted once (also under a race),
 * recovery codes, and every event that ends a member's sessions.
 */
import { ulid } from 'ulid';
import { beforeAll, describe, expect, it } from 'vitest';
import { codeAt } from '#lib/auth/totp.ts';
import { removeStaff, updateStaff } from '#lib/provisioning/staff.ts';
import { MAX_FAILURES } from '#lib/rules/rate-limit.ts';
import { newScope, staffWithPassword, strongPassword } from '../../support/builders.ts';
import { call, createCompany } from '../../support/gateway.ts';
import { expectProblem } from '../../support/http-fixtures.ts';
import { newPartnerWithKey, type Partner, scanTable } from './support.ts';

let partner: Partner;

beforeAll(async () => {
  partner = await newPartnerWithKey('Staff Sign-in IT');
});

const staffLogin = (body: Record<string, unknown>, from = '127.0.0.1') =>
  call('POST', '/v1/auth/staff/login', { body, from });

const scopeOf = (partnerId: string) => ({
  ...newScope(),
  partnerId,
  actor: 'staff:01JOWNER000000000000000000',
});

/** A member who changed the temporary password and enrolled TOTP, signed in; its secret kept. */
async function enrolledMember(role: 'owner' | 'admin' | 'operator' | 'billing' = 'owner') {
  const member = await staffWithPassword(partner.partnerId, { role });
  const first = await staffLogin({ email: member.email, password: member.password });
  expect(first.status, JSON.stringify(first.body)).toBe(200);
  const password = strongPassword('New');
  const changed = await call('POST', '/v1/auth/password', {
    token: first.body.token,
    body: { currentPassword: member.password, newPassword: password },
  });
  expect(changed.status, JSON.stringify(changed.body)).toBe(200);
  const token = changed.body.token as string;
  const setup = await call('POST', '/v1/auth/mfa/setup', { token });
  expect(setup.status, JSON.stringify(setup.body)).toBe(200);
  const secret = setup.body.secret as string;
  const confirmed = await call('POST', '/v1/auth/mfa/confirm', {
    token,
    body: { code: codeAt(secret, Date.now()) },
  });
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
  return {
    ...member,
    password,
    token,
    secret,
    recoveryCodes: confirmed.body.recoveryCodes as string[],
  };
}

/** A code of the next step: valid now (one step of drift is allowed) and newer than the last. */
const nextCode = (secret: string) => codeAt(secret, Date.now() + 30_000);

describe('the staff login', () => {
  it('answers an unknown e-mail, a wrong password, a removed member and one without a password alike', async () => {
    // Prepare
    const known = await staffWithPassword(partner.partnerId, { role: 'operator' });
    const removed = await staffWithPassword(partner.partnerId, { role: 'operator' });
    await removeStaff(scopeOf(partner.partnerId), 'owner', removed.staff.id);
    const { newStaffSteps } = await import('#lib/store/staff.ts');
    const { transact } = await import('#lib/store/table.ts');
    const invited = { ...known.staff, id: ulid(), email: `n.${known.email}` };
    await transact(newStaffSteps({ ...invited, role: 'billing' }));

    // Act
    const replies = await Promise.all([
      staffLogin({ email: `nobody.${known.email}`, password: known.password }, '127.0.1.1'),
      staffLogin({ email: known.email, password: 'not-the-password' }, '127.0.1.2'),
      staffLogin({ email: removed.email, password: removed.password }, '127.0.1.3'),
      staffLogin({ email: invited.email, password: known.password }, '127.0.1.4'),
    ]);
    const right = await staffLogin({ email: known.email.toUpperCase(), password: known.password });

    // Assess
    for (const reply of replies) expectProblem(reply, 401, 'INVALID_CREDENTIALS');
    const bodies = replies.map((reply) => JSON.stringify(reply.body));
    expect(new Set(bodies).size).toBe(1);
    expect(right.status, JSON.stringify(right.body)).toBe(200);
    expect(right.body).toEqual({
      token: expect.any(String),
      expiresAt: expect.any(String),
      role: 'operator',
      mustChangePassword: true,
      mfaEnrolled: false,
    });
  });

  it('refuses an address after as many failures as an account login, the right password too', async () => {
    // Prepare
    const member = await staffWithPassword(partner.partnerId);
    const guesses = [];
    for (let i = 0; i < MAX_FAILURES; i++) {
      guesses.push(await staffLogin({ email: member.email, password: `wrong-${i}` }, '127.0.2.1'));
    }

    // Act
    const refused = await staffLogin(
      { email: member.email, password: member.password },
      '127.0.2.1',
    );
    const elsewhere = await staffLogin(
      { email: member.email, password: member.password },
      '127.0.2.2',
    );

    // Assess
    for (const reply of guesses) expectProblem(reply, 401, 'INVALID_CREDENTIALS');
    expectProblem(refused, 429, 'TOO_MANY_ATTEMPTS');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(1);
    expect(elsewhere.status, JSON.stringify(elsewhere.body)).toBe(200);
  });

  it('answers an expired temporary password as an account login does', async () => {
    // Prepare
    const member = await staffWithPassword(partner.partnerId, {
      passwordIssuedAt: new Date(Date.now() - 7 * 86_400_000 - 1000),
    });

    // Act
    const reply = await staffLogin({ email: member.email, password: member.password });

    // Assess
    expectProblem(reply, 401, 'TEMPORARY_PASSWORD_EXPIRED');
  });
});

describe('first sign-in, enrolment and later logins', () => {
  it('goes from the temporary password through TOTP enrolment to logins with codes used once', async () => {
    // Prepare
    const member = await staffWithPassword(partner.partnerId, { role: 'admin' });

    // Act: the temporary password's session may only change the password.
    const first = await staffLogin({ email: member.email, password: member.password });
    const firstToken = first.body.token as string;
    const staffWhileTemporary = await call('GET', '/v1/staff', { token: firstToken });
    const setupWhileTemporary = await call('POST', '/v1/auth/mfa/setup', { token: firstToken });
    const weak = await call('POST', '/v1/auth/password', {
      token: firstToken,
      body: { currentPassword: member.password, newPassword: member.email.split('@')[0] },
    });
    const wrongCurrent = await call('POST', '/v1/auth/password', {
      token: firstToken,
      body: { currentPassword: 'not-it-at-all', newPassword: strongPassword('New') },
    });
    const newPassword = strongPassword('New');
    const changed = await call('POST', '/v1/auth/password', {
      token: firstToken,
      body: { currentPassword: member.password, newPassword },
    });
    const token = changed.body.token as string;
    const firstAfterChange = await call('GET', '/v1/staff', { token: firstToken });
    const staffBeforeMfa = await call('GET', '/v1/staff', { token });
    const setup = await call('POST', '/v1/auth/mfa/setup', { token });
    const secret = setup.body.secret as string;
    const wrongConfirm = await call('POST', '/v1/auth/mfa/confirm', {
      token,
      body: { code: codeAt(secret, Date.now() - 5 * 60_000) },
    });
    const confirmed = await call('POST', '/v1/auth/mfa/confirm', {
      token,
      body: { code: codeAt(secret, Date.now()) },
    });
    const staffAfterMfa = await call('GET', '/v1/staff', { token });
    const setupAgain = await call('POST', '/v1/auth/mfa/setup', { token });
    const oldPassword = await staffLogin({ email: member.email, password: member.password });
    const noCode = await staffLogin({ email: member.email, password: newPassword });
    const code = nextCode(secret);
    const withCode = await staffLogin({ email: member.email, password: newPassword, totp: code });
    const sameCode = await staffLogin({ email: member.email, password: newPassword, totp: code });
    const [recovery] = confirmed.body.recoveryCodes as string[];
    const withRecovery = await staffLogin({
      email: member.email,
      password: newPassword,
      totp: recovery?.toUpperCase(),
    });
    const recoveryAgain = await staffLogin({
      email: member.email,
      password: newPassword,
      totp: recovery,
    });

    // Assess
    expect(first.body).toMatchObject({
      role: 'admin',
      mustChangePassword: true,
      mfaEnrolled: false,
    });
    expectProblem(staffWhileTemporary, 403, 'PASSWORD_CHANGE_REQUIRED');
    expectProblem(setupWhileTemporary, 403, 'PASSWORD_CHANGE_REQUIRED');
    expectProblem(weak, 422, 'WEAK_PASSWORD');
    expectProblem(wrongCurrent, 422, 'INVALID_CURRENT_PASSWORD');
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({
      role: 'admin',
      mustChangePassword: false,
      mfaEnrolled: false,
    });
    expectProblem(firstAfterChange, 401, 'UNAUTHORIZED');
    expectProblem(staffBeforeMfa, 403, 'MFA_ENROLMENT_REQUIRED');
    expect(setup.status, JSON.stringify(setup.body)).toBe(200);
    expect(setup.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const url = new URL(setup.body.otpauthUrl);
    expect(url.protocol).toBe('otpauth:');
    expect(url.searchParams.get('secret')).toBe(secret);
    expect(url.searchParams.get('issuer')).toBe('Staff Sign-in IT');
    expect(decodeURIComponent(url.pathname)).toContain(member.email);
    expectProblem(wrongConfirm, 422, 'INVALID_ENROLMENT_CODE');
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    expect(new Set(confirmed.body.recoveryCodes).size).toBe(10);
    expect(staffAfterMfa.status, JSON.stringify(staffAfterMfa.body)).toBe(200);
    expectProblem(setupAgain, 409, 'MFA_ALREADY_ENABLED');
    expectProblem(oldPassword, 401, 'INVALID_CREDENTIALS');
    expectProblem(noCode, 401, 'MFA_REQUIRED');
    expect(withCode.status, JSON.stringify(withCode.body)).toBe(200);
    expect(withCode.body).toMatchObject({
      role: 'admin',
      mustChangePassword: false,
      mfaEnrolled: true,
    });
    expectProblem(sameCode, 401, 'INVALID_MFA_CODE');
    expect(withRecovery.status, JSON.stringify(withRecovery.body)).toBe(200);
    expectProblem(recoveryAgain, 401, 'INVALID_MFA_CODE');
  });

  it('accepts one code, and one recovery code, for only one of two logins racing with it', async () => {
    // Prepare
    const member = await enrolledMember('operator');
    const login = (totp: string, from: string) =>
      staffLogin({ email: member.email, password: member.password, totp }, from);
    const code = nextCode(member.secret);
    const recovery = member.recoveryCodes[3] as string;

    // Act
    const byCode = await Promise.all([login(code, '127.0.3.1'), login(code, '127.0.3.2')]);
    const byRecovery = await Promise.all([
      login(recovery, '127.0.3.3'),
      login(recovery, '127.0.3.4'),
    ]);

    // Assess
    for (const pair of [byCode, byRecovery]) {
      const statuses = pair.map((reply) => reply.status).sort();
      expect(statuses, JSON.stringify(pair.map((reply) => reply.body))).toEqual([200, 401]);
      const loser = pair.find((reply) => reply.status === 401);
      if (loser) expectProblem(loser, 401, 'INVALID_MFA_CODE');
    }
  });

  it('counts wrong codes as failed logins', async () => {
    // Prepare
    const member = await enrolledMember();
    const wrong = [];
    for (let i = 0; i < MAX_FAILURES; i++) {
      wrong.push(
        await staffLogin(
          { email: member.email, password: member.password, totp: String(100000 + i) },
          '127.0.4.1',
        ),
      );
    }

    // Act
    const refused = await staffLogin(
      { email: member.email, password: member.password, totp: nextCode(member.secret) },
      '127.0.4.1',
    );

    // Assess
    for (const reply of wrong) expectProblem(reply, 401, 'INVALID_MFA_CODE');
    expectProblem(refused, 429, 'TOO_MANY_ATTEMPTS');
  });

  it('counts a right password without its code neither as a failure nor as a success', async () => {
    // Prepare
    const member = await enrolledMember();
    const from = '127.0.5.1';
    const wrongCode = (i: number) =>
      staffLogin(
        { email: member.email, password: member.password, totp: String(200000 + i) },
        from,
      );
    const withoutCode = () => staffLogin({ email: member.email, password: member.password }, from);
    const wrong = [];
    for (let i = 0; i < MAX_FAILURES - 1; i++) wrong.push(await wrongCode(i));

    // Act: more code-less logins than the address may fail, then its last failure.
    const codeless = [];
    for (let i = 0; i <= MAX_FAILURES; i++) codeless.push(await withoutCode());
    const lastWrong = await wrongCode(MAX_FAILURES);
    const refused = await withoutCode();

    // Assess: none of the code-less logins failed, nor ended the window of the wrong codes.
    for (const reply of wrong) expectProblem(reply, 401, 'INVALID_MFA_CODE');
    for (const reply of codeless) expectProblem(reply, 401, 'MFA_REQUIRED');
    expectProblem(lastWrong, 401, 'INVALID_MFA_CODE');
    expectProblem(refused, 429, 'TOO_MANY_ATTEMPTS');
  });

  it('keeps no password, TOTP secret or recovery code in the member item', async () => {
    // Prepare
    const member = await enrolledMember();

    // Act
    const item = (await scanTable()).find(
      (candidate) => candidate.entity === 'STAFF' && candidate.id === member.staff.id,
    );

    // Assess
    expect(item).toBeDefined();
    const stored = JSON.stringify(item, (_key, value) =>
      value instanceof Set ? [...value] : value,
    ).toLowerCase();
    expect(item?.mfaEnabled).toBe(true);
    expect(item?.totpSecret).toEqual(expect.any(String));
    expect((item?.recoveryCodeHashes as Set<string> | undefined)?.size).toBe(10);
    for (const secret of [
      member.password,
      member.secret,
      ...member.recoveryCodes,
      ...member.recoveryCodes.map((code) => code.replaceAll('-', '')),
    ]) {
      expect(stored).not.toContain(secret.toLowerCase());
    }
  });
});

describe('what ends a staff session', () => {
  it('ends the member’s sessions at removal, role change and password change', async () => {
    // Prepare
    const removed = await enrolledMember('operator');
    const demoted = await enrolledMember('admin');
    const changing = await enrolledMember('owner');
    const scope = scopeOf(partner.partnerId);
    const before = await Promise.all(
      [removed, demoted, changing].map((member) =>
        call('GET', '/v1/companies', { token: member.token }),
      ),
    );

    // Act
    await removeStaff(scope, 'owner', removed.staff.id);
    await updateStaff(scope, 'owner', demoted.staff.id, { role: 'billing' });
    const changed = await call('POST', '/v1/auth/password', {
      token: changing.token,
      body: { currentPassword: changing.password, newPassword: strongPassword('Again') },
    });
    const after = await Promise.all(
      [removed, demoted, changing].map((member) =>
        call('GET', '/v1/companies', { token: member.token }),
      ),
    );
    const withNewToken = await call('GET', '/v1/companies', { token: changed.body.token });

    // Assess
    for (const reply of before) expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.mfaEnrolled).toBe(true);
    for (const reply of after) expectProblem(reply, 401, 'UNAUTHORIZED');
    expect(withNewToken.status, JSON.stringify(withNewToken.body)).toBe(200);
  });

  it('ends an impersonation held by a member with the member’s sessions: removal, role change', async () => {
    // Prepare
    const removed = await enrolledMember('operator');
    const demoted = await enrolledMember('operator');
    const company = await createCompany(partner.apiKey);
    const companyId = company.company.id as string;
    const impersonations = await Promise.all(
      [removed, demoted].map((member) =>
        call('POST', `/v1/companies/${companyId}/impersonate`, { token: member.token }),
      ),
    );
    const tokens = impersonations.map((reply) => reply.body.token as string);
    const read = () =>
      Promise.all(tokens.map((token) => call('GET', `/v1/companies/${companyId}`, { token })));
    const whileMembers = await read();

    // Act
    const scope = scopeOf(partner.partnerId);
    await removeStaff(scope, 'owner', removed.staff.id);
    await updateStaff(scope, 'owner', demoted.staff.id, { role: 'billing' });
    const afterwards = await read();

    // Assess
    for (const reply of impersonations) expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    for (const reply of whileMembers) expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    for (const reply of afterwards) expectProblem(reply, 401, 'UNAUTHORIZED');
  });
});
