/**
 * SPEC §7 over HTTP, as a new partner meets it: the operator creates the partner with its owner,
 * the owner signs in (temporary password, new password, TOTP), invites an operator and a billing
 * user, and each role is served what SPEC gives it and refused the rest; sessions and keys stop
 * working the moment they are ended.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  expectProblem,
  GB,
  type HttpReply,
  temporaryPasswordIn,
  uniqueName,
} from '../support/http-fixtures.ts';
import {
  call,
  type EnrolledStaff,
  enrolStaff,
  newPartnerWithOwner,
  type Partner,
  totpCode,
  waitForEmail,
} from './helpers.ts';

const staffEmail = (name: string) => `${uniqueName(`${name}.`)}@acme-it.example`;

let partner: Partner;
let owner: EnrolledStaff;

const as = (token: string) => ({
  get: (path: string) => call('GET', path, { token }),
  post: (path: string, body?: unknown) => call('POST', path, { token, body }),
  patch: (path: string, body: unknown) => call('PATCH', path, { token, body }),
  delete: (path: string) => call('DELETE', path, { token }),
});

const ok = (reply: HttpReply, status = 200) => {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  return reply.body;
};

function companyBody() {
  const username = uniqueName('staff.admin.');
  return {
    name: uniqueName('Staff Co '),
    quotaMb: 10 * GB,
    contact: { fullName: 'Cleo Customer', email: `${username}@customer.example` },
    admin: { username, plan: 'select' },
  };
}

const newCompany = async (token: string) =>
  ok(await as(token).post('/v1/companies', companyBody()), 201);

/** Invites a member with the owner's session and takes them through their first sign-in. */
async function invite(role: 'admin' | 'operator' | 'billing') {
  const email = staffEmail(role);
  const member = ok(
    await as(owner.token).post('/v1/staff', { email, fullName: `Pat ${role}`, role }),
    201,
  );
  return { id: member.id as string, ...(await enrolStaff(email)) };
}

beforeAll(async () => {
  const ownerEmail = staffEmail('owner');
  partner = await newPartnerWithOwner(uniqueName('Staff Flow IT '), ownerEmail);
  owner = await enrolStaff(ownerEmail);
}, 60_000);

describe('a new partner’s owner signing in', () => {
  it('must change the temporary password, then enrol TOTP, before anything else', async () => {
    const email = staffEmail('gated');
    ok(
      await as(owner.token).post('/v1/staff', { email, fullName: 'Gia Gate', role: 'admin' }),
      201,
    );
    const temporary = temporaryPasswordIn(await waitForEmail(email));

    const first = ok(
      await call('POST', '/v1/auth/staff/login', { body: { email, password: temporary } }),
    );
    expect(first).toMatchObject({ role: 'admin', mustChangePassword: true, mfaEnrolled: false });
    expectProblem(await as(first.token).get('/v1/companies'), 403, 'PASSWORD_CHANGE_REQUIRED');
    expectProblem(
      await as(first.token).post('/v1/auth/mfa/setup'),
      403,
      'PASSWORD_CHANGE_REQUIRED',
    );

    const changed = ok(
      await as(first.token).post('/v1/auth/password', {
        currentPassword: temporary,
        newPassword: 'Gate-keeper-2026-pass',
      }),
    );
    expect(changed).toMatchObject({ mustChangePassword: false, mfaEnrolled: false });
    // The password change ended the first session.
    expect((await as(first.token).get('/v1/staff')).status).toBe(401);
    expectProblem(await as(changed.token).get('/v1/companies'), 403, 'MFA_ENROLMENT_REQUIRED');

    const setup = ok(await as(changed.token).post('/v1/auth/mfa/setup'));
    expect(setup.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    expect(setup.otpauthUrl).toContain(`secret=${setup.secret}`);
    const confirmed = ok(
      await as(changed.token).post('/v1/auth/mfa/confirm', { code: totpCode(setup.otpauthUrl) }),
    );
    expect(confirmed.recoveryCodes).toHaveLength(10);
    expect(new Set(confirmed.recoveryCodes).size).toBe(10);
    // Enrolment holds on the same session at once.
    ok(await as(changed.token).get('/v1/companies'));
  });

  it('signs in later with a current code or an unused recovery code, each accepted once', async () => {
    const login = (totp?: string) =>
      call('POST', '/v1/auth/staff/login', {
        body: { email: owner.email, password: owner.password, ...(totp ? { totp } : {}) },
      });

    expectProblem(await login(), 401, 'MFA_REQUIRED');
    expectProblem(await login('000000'), 401, 'INVALID_MFA_CODE');
    // The code confirmed at enrolment is spent: the next period's code is within the ±1 step.
    const code = totpCode(owner.otpauthUrl, 1);
    const withCode = ok(await login(code));
    expect(withCode).toMatchObject({ role: 'owner', mustChangePassword: false, mfaEnrolled: true });
    ok(await as(withCode.token).get('/v1/staff'));
    expectProblem(await login(code), 401, 'INVALID_MFA_CODE');

    const [recovery] = owner.recoveryCodes;
    ok(await login(recovery));
    expectProblem(await login(recovery), 401, 'INVALID_MFA_CODE');
  });

  it('gets the same answer for an unknown e-mail as for a wrong password', async () => {
    const wrong = await call('POST', '/v1/auth/staff/login', {
      body: { email: owner.email, password: 'not-the-password-1' },
    });
    const unknown = await call('POST', '/v1/auth/staff/login', {
      body: { email: staffEmail('nobody'), password: 'not-the-password-1' },
    });

    const problem = expectProblem(wrong, 401, 'INVALID_CREDENTIALS');
    expect(expectProblem(unknown, 401, 'INVALID_CREDENTIALS')).toMatchObject({
      title: problem.title,
      detail: problem.detail,
      errors: problem.errors,
    });
  });
});

describe('each role, as SPEC §7 gives it', () => {
  it('operator: provisioning and impersonation, audited by name; not staff or keys', async () => {
    const operator = await invite('operator');
    const api = as(operator.token);

    const { company } = await newCompany(operator.token);
    ok(await api.get(`/v1/companies/${company.id}/contacts`));
    const impersonation = ok(await api.post(`/v1/companies/${company.id}/impersonate`));
    ok(
      await as(impersonation.token).post(`/v1/companies/${company.id}/contacts`, {
        fullName: 'Ivy Impersonated',
        email: `${uniqueName('ivy.')}@customer.example`,
      }),
      201,
    );
    expectProblem(await api.get('/v1/staff'), 403, 'FORBIDDEN');
    expectProblem(await api.post('/v1/api-keys', { name: 'x', scope: 'full' }), 403, 'FORBIDDEN');

    const audit = ok(await as(owner.token).get('/v1/audit?limit=100'));
    const entries = audit.items.filter(
      (entry: { companyId: string | null }) => entry.companyId === company.id,
    );
    expect(entries.map((entry: { action: string }) => entry.action)).toEqual(
      expect.arrayContaining(['company.create', 'company.impersonate', 'contact.create']),
    );
    for (const entry of entries) expect(entry.actor).toBe(`staff:${operator.id}`);
  });

  it('billing: reads companies, accounts, usage and audit; writes nothing', async () => {
    const billing = await invite('billing');
    const api = as(billing.token);
    const { company } = await newCompany(owner.token);

    ok(await api.get('/v1/companies'));
    ok(await api.get(`/v1/companies/${company.id}/accounts`));
    ok(await api.get(`/v1/companies/${company.id}/usage`));
    ok(await api.get('/v1/audit'));
    expectProblem(await api.get(`/v1/companies/${company.id}/contacts`), 403, 'FORBIDDEN');
    expectProblem(
      await api.patch(`/v1/companies/${company.id}`, { name: 'Billing Was Here' }),
      403,
      'FORBIDDEN',
    );
    expectProblem(await api.post(`/v1/companies/${company.id}/impersonate`), 403, 'FORBIDDEN');
    expectProblem(await api.get('/v1/api-keys'), 403, 'FORBIDDEN');
    expect(ok(await as(owner.token).get(`/v1/companies/${company.id}`)).name).toBe(company.name);
  });

  it('admin: staff and keys, but no owner made or changed', async () => {
    const admin = await invite('admin');
    const api = as(admin.token);
    const ownerId = ok(await api.get('/v1/staff')).items.find(
      (member: { email: string }) => member.email === owner.email,
    ).id;

    expectProblem(
      await api.post('/v1/staff', { email: staffEmail('x'), fullName: 'X', role: 'owner' }),
      403,
      'FORBIDDEN',
    );
    expectProblem(await api.patch(`/v1/staff/${ownerId}`, { role: 'admin' }), 403, 'FORBIDDEN');
    ok(await api.post('/v1/api-keys', { name: 'Admin key', scope: 'read' }), 201);
  });
});

describe('ending access', () => {
  it('a removed member’s session stops at once, and so does their impersonation', async () => {
    const operator = await invite('operator');
    const { company } = await newCompany(owner.token);
    const impersonation = ok(
      await as(operator.token).post(`/v1/companies/${company.id}/impersonate`),
    );
    ok(await as(operator.token).get('/v1/companies'));

    ok(await as(owner.token).delete(`/v1/staff/${operator.id}`));

    expect((await as(operator.token).get('/v1/companies')).status).toBe(401);
    expect((await as(impersonation.token).get(`/v1/companies/${company.id}`)).status).toBe(401);
    expectProblem(
      await call('POST', '/v1/auth/staff/login', {
        body: {
          email: operator.email,
          password: operator.password,
          totp: totpCode(operator.otpauthUrl, 1),
        },
      }),
      401,
      'INVALID_CREDENTIALS',
    );
  });

  it('a role change ends the member’s sessions', async () => {
    const admin = await invite('admin');

    ok(await as(owner.token).patch(`/v1/staff/${admin.id}`, { role: 'billing' }));

    expect((await as(admin.token).get('/v1/staff')).status).toBe(401);
  });

  it('a read key cannot write, and a revoked key gets 401 at once', async () => {
    const api = as(owner.token);
    const readKey = ok(await api.post('/v1/api-keys', { name: 'Reporting', scope: 'read' }), 201);
    const fullKey = ok(await api.post('/v1/api-keys', { name: 'PSA sync', scope: 'full' }), 201);

    ok(await as(readKey.key).get('/v1/companies'));
    const refused = companyBody();
    expectProblem(await as(readKey.key).post('/v1/companies', refused), 403, 'FORBIDDEN');
    const names = ok(await as(readKey.key).get('/v1/companies?limit=100')).items.map(
      (company: { name: string }) => company.name,
    );
    expect(names).not.toContain(refused.name);
    await newCompany(fullKey.key);
    ok(await as(partner.apiKey).get('/v1/companies'));

    ok(await api.delete(`/v1/api-keys/${fullKey.id}`));

    expect((await as(fullKey.key).get('/v1/companies')).status).toBe(401);
    ok(await as(readKey.key).get('/v1/companies'));
  });
});
