/**
 * Suspension through the gateway (SPEC §2.8): reasons that stack, idempotent repeats that write
 * nothing, a company's suspension reaching its accounts without rewriting them, what a company
 * admin and a backup user may still do, and the e-mails and events of each change.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createAccount,
  createCompany,
  firstLogin,
  getAccount,
  getCompany,
  session,
} from '../../support/gateway.ts';
import {
  errorPaths,
  expectProblem,
  GB,
  strongPassword,
  uniqueName,
} from '../../support/http-fixtures.ts';
import {
  deliverOutbox,
  emailsTo,
  newPartnerWithKey,
  newStorageKey,
  type Partner,
  scanTable,
} from './support.ts';

let partner: Partner;
let storageKey: string;

beforeAll(async () => {
  [partner, storageKey] = await Promise.all([newPartnerWithKey('Suspension IT'), newStorageKey()]);
});

const post = (path: string, body: unknown, token = partner.apiKey) =>
  call('POST', path, { token, body });
const suspendCompany = (companyId: string, reason: string, token?: string) =>
  post(`/v1/companies/${companyId}/suspend`, { reason }, token);
const reactivateCompany = (companyId: string, reason: string) =>
  post(`/v1/companies/${companyId}/reactivate`, { reason });
const suspendAccount = (companyId: string, accountId: string, reason: string) =>
  post(`/v1/companies/${companyId}/accounts/${accountId}/suspend`, { reason });
const reactivateAccount = (companyId: string, accountId: string, reason: string) =>
  post(`/v1/companies/${companyId}/accounts/${accountId}/reactivate`, { reason });

/** What the table holds for a company: its events, e-mails and audit entries, by kind. */
async function tracesOf(companyId: string) {
  const items = (await scanTable()).filter((item) => item.companyId === companyId);
  const of = (entity: string) => items.filter((item) => item.entity === entity);
  return {
    events: of('EVENT')
      .sort((a, b) => String(a.id).localeCompare(String(b.id)))
      .map((item) => item.type as string),
    mails: of('OUTBOX').map((item) => item.kind as string),
    audit: of('AUDIT').map((item) => item.action as string),
  };
}

/** A 50 GB pool whose admin has 10 GB and a known password, a 5 GB sub-account, and sessions. */
async function suspendableCompany() {
  const adminPassword = strongPassword('Adm');
  const created = await createCompany(partner.apiKey, {
    quotaMb: 50 * GB,
    admin: { hardQuotaMb: 10 * GB, password: adminPassword },
  });
  const companyId = created.company.id as string;
  const userPassword = strongPassword('Usr');
  const subEmail = `${uniqueName('sub.')}@customer.example`;
  const sub = await createAccount(partner.apiKey, companyId, {
    parentId: created.account.id,
    password: userPassword,
    contact: { fullName: 'Sam Sub', email: subEmail },
  });
  const admin = await firstLogin(created.username, adminPassword);
  const user = await firstLogin(sub.account.username, userPassword);
  return {
    companyId,
    adminId: created.account.id as string,
    adminEmail: created.email,
    adminToken: admin.token as string,
    sub: sub.account,
    subEmail,
    userToken: user.token as string,
    userPassword: user.password as string,
  };
}

describe('suspending a company', () => {
  it('stacks reasons, reaches every account without rewriting it, and holds the company admin', async () => {
    // Prepare
    const c = await suspendableCompany();
    const subItemBefore = (await scanTable()).find((item) => item.id === c.sub.id);

    // Act
    const suspended = await suspendCompany(c.companyId, 'non_payment');

    // Assess: the company carries its suspension, its accounts show it and take no backups
    expect(suspended.status, JSON.stringify(suspended.body)).toBe(200);
    expect(suspended.body.suspension).toEqual({
      reasons: ['non_payment'],
      since: expect.any(String),
    });
    expect(suspended.body.status).toBe('active');
    const sub = await getAccount(partner.apiKey, c.companyId, c.sub.id);
    expect(sub.suspension).toEqual(suspended.body.suspension);
    expect(sub.features.backupsAllowed).toBe(false);
    // Not rewritten: the account's item is as it was.
    expect((await scanTable()).find((item) => item.id === c.sub.id)).toEqual(subItemBefore);

    // The backup user still logs in and sees why; its agent is told to take no backups.
    const user = await session(c.sub.username, c.userPassword);
    const me = await call('GET', '/v1/me', { token: user.token });
    expect(me.body.features.backupsAllowed).toBe(false);
    expect(me.body.suspension.reasons).toEqual(['non_payment']);

    // The company admin reads, but every write is refused.
    const admin = c.adminToken;
    expect((await call('GET', `/v1/companies/${c.companyId}`, { token: admin })).status).toBe(200);
    expect(
      (await call('GET', `/v1/companies/${c.companyId}/accounts`, { token: admin })).status,
    ).toBe(200);
    const writes = [
      post(
        `/v1/companies/${c.companyId}/accounts`,
        { username: uniqueName('u.'), parentId: c.adminId },
        admin,
      ),
      call('PATCH', `/v1/companies/${c.companyId}/accounts/${c.sub.id}`, {
        token: admin,
        body: { hardQuotaMb: 10 * GB },
      }),
      post(`/v1/companies/${c.companyId}/accounts/${c.sub.id}/password-reset`, undefined, admin),
      call('DELETE', `/v1/companies/${c.companyId}/accounts/${c.sub.id}`, { token: admin }),
      post(
        `/v1/companies/${c.companyId}/contacts`,
        { fullName: 'X', email: 'x@customer.example' },
        admin,
      ),
      call('PATCH', '/v1/me', { token: admin, body: { userQuotaMb: 5 * GB } }),
    ];
    for (const reply of await Promise.all(writes)) expectProblem(reply, 409, 'COMPANY_SUSPENDED');
    expect((await getAccount(partner.apiKey, c.companyId, c.sub.id)).hardQuotaMb).toBe(5 * GB);

    // The partner still resizes, and usage reports are still recorded.
    const resized = await call('PATCH', `/v1/companies/${c.companyId}/accounts/${c.sub.id}`, {
      token: partner.apiKey,
      body: { hardQuotaMb: 10 * GB },
    });
    expect(resized.status, JSON.stringify(resized.body)).toBe(200);
    const reported = await call('POST', '/v1/usage-reports', {
      token: storageKey,
      body: { reports: [{ accountId: c.sub.id, usedMb: 700 }] },
    });
    expect(reported.status).toBe(200);
    expect((await getAccount(partner.apiKey, c.companyId, c.sub.id)).usedMb).toBe(700);
  });

  it('writes nothing for a reason already there, and is active again once the last reason is taken', async () => {
    // Prepare
    const c = await suspendableCompany();
    const first = await suspendCompany(c.companyId, 'non_payment');
    const afterFirst = await tracesOf(c.companyId);

    // Act
    const again = await suspendCompany(c.companyId, 'non_payment');
    const afterAgain = await tracesOf(c.companyId);
    const stacked = await suspendCompany(c.companyId, 'manual');
    const notThere = await reactivateCompany(c.companyId, 'abuse');
    const afterNotThere = await tracesOf(c.companyId);
    const oneTaken = await reactivateCompany(c.companyId, 'non_payment');
    const lastTaken = await reactivateCompany(c.companyId, 'manual');

    // Assess
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(afterAgain).toEqual(afterFirst);
    expect(stacked.body.suspension).toEqual({
      reasons: ['non_payment', 'manual'],
      since: first.body.suspension.since,
    });
    expect(notThere.status).toBe(200);
    expect(notThere.body).toEqual(stacked.body);
    expect(oneTaken.body.suspension).toEqual({
      reasons: ['manual'],
      since: first.body.suspension.since,
    });
    expect(lastTaken.body.suspension).toBeNull();
    expect(await getCompany(partner.apiKey, c.companyId)).toEqual(lastTaken.body);
    const sub = await getAccount(partner.apiKey, c.companyId, c.sub.id);
    expect(sub.suspension).toBeNull();
    expect(sub.features.backupsAllowed).toBe(true);
    // The company admin writes again.
    const resized = await call('PATCH', `/v1/companies/${c.companyId}/accounts/${c.sub.id}`, {
      token: c.adminToken,
      body: { hardQuotaMb: 10 * GB },
    });
    expect(resized.status, JSON.stringify(resized.body)).toBe(200);

    // One event, e-mail and audit entry per change that changed something.
    const traces = await tracesOf(c.companyId);
    expect(afterNotThere.events.filter((type) => type.startsWith('company.s'))).toHaveLength(2);
    expect(traces.events.filter((type) => /^company\.(suspended|reactivated)$/.test(type))).toEqual(
      ['company.suspended', 'company.suspended', 'company.reactivated', 'company.reactivated'],
    );
    expect(traces.mails.filter((kind) => kind === 'suspended')).toHaveLength(2);
    expect(traces.mails.filter((kind) => kind === 'reactivated')).toHaveLength(2);
    expect(
      traces.audit.filter((action) => /^company\.(suspend|reactivate)$/.test(action)),
    ).toHaveLength(4);

    // The admin's contact hears of each: the last says the company is active again.
    await deliverOutbox(partner.partnerId);
    const subjects = (await emailsTo(c.adminEmail)).map((mail) => mail.subject);
    expect(subjects.filter((s) => s.endsWith('is suspended'))).toHaveLength(2);
    expect(subjects.filter((s) => s.endsWith('is still suspended'))).toHaveLength(1);
    expect(subjects.filter((s) => s.endsWith('is active again'))).toHaveLength(1);
  });

  it('refuses a cancelled company, a reason not in the catalogue, and callers who may not', async () => {
    // Prepare
    const c = await suspendableCompany();
    const cancelled = await createCompany(partner.apiKey);
    await call('DELETE', `/v1/companies/${cancelled.company.id}`, { token: partner.apiKey });

    // Act
    const onCancelled = await suspendCompany(cancelled.company.id, 'manual');
    const badReason = await suspendCompany(c.companyId, 'holiday');
    const byAdmin = await suspendCompany(c.companyId, 'manual', c.adminToken);

    // Assess
    expectProblem(onCancelled, 409, 'COMPANY_CANCELLED');
    expectProblem(badReason, 400, 'VALIDATION_FAILED');
    expect(errorPaths(badReason)).toEqual(['reason']);
    expectProblem(byAdmin, 403, 'FORBIDDEN');
    expect((await getCompany(partner.apiKey, c.companyId)).suspension).toBeNull();
  });
});

describe('suspending one account', () => {
  it('pauses that account only, holds its company admin off it, and e-mails its contact', async () => {
    // Prepare
    const c = await suspendableCompany();

    // Act
    const suspended = await suspendAccount(c.companyId, c.sub.id, 'abuse');
    const again = await suspendAccount(c.companyId, c.sub.id, 'abuse');
    const adminWrite = await call('PATCH', `/v1/companies/${c.companyId}/accounts/${c.sub.id}`, {
      token: c.adminToken,
      body: { hardQuotaMb: 10 * GB },
    });
    const adminOther = await call('PATCH', `/v1/companies/${c.companyId}/accounts/${c.adminId}`, {
      token: c.adminToken,
      body: { hardQuotaMb: 25 * GB },
    });

    // Assess
    expect(suspended.status, JSON.stringify(suspended.body)).toBe(200);
    expect(suspended.body.suspension).toEqual({ reasons: ['abuse'], since: expect.any(String) });
    expect(suspended.body.features.backupsAllowed).toBe(false);
    expect(again.body).toEqual(suspended.body);
    expect((await getCompany(partner.apiKey, c.companyId)).suspension).toBeNull();
    const admin = await getAccount(partner.apiKey, c.companyId, c.adminId);
    expect(admin.features.backupsAllowed).toBe(true);
    expectProblem(adminWrite, 409, 'ACCOUNT_SUSPENDED');
    expect(adminOther.status, JSON.stringify(adminOther.body)).toBe(200);
    const user = await session(c.sub.username, c.userPassword);
    expect(user.role).toBe('backupUser');
    const traces = await tracesOf(c.companyId);
    expect(traces.events.filter((type) => type === 'account.suspended')).toHaveLength(1);
    await deliverOutbox(partner.partnerId);
    const mails = await emailsTo(c.subEmail);
    expect(mails.map((mail) => mail.subject)).toContain('Your backup account is suspended');
    const mail = mails.find((m) => m.subject === 'Your backup account is suspended');
    expect(mail?.body.text).toContain(c.sub.username);
    expect(mail?.body.text).toContain('breach of the terms of use');
  });

  it('shows its own reasons with its company’s, and reactivates only its own', async () => {
    // Prepare
    const c = await suspendableCompany();
    await suspendAccount(c.companyId, c.sub.id, 'manual');
    const company = await suspendCompany(c.companyId, 'non_payment');

    // Act
    const combined = await getAccount(partner.apiKey, c.companyId, c.sub.id);
    const companysReason = await reactivateAccount(c.companyId, c.sub.id, 'non_payment');
    const own = await reactivateAccount(c.companyId, c.sub.id, 'manual');

    // Assess
    expect(combined.suspension.reasons).toEqual(['non_payment', 'manual']);
    expect(companysReason.status).toBe(200);
    expect(companysReason.body).toEqual(combined);
    expect(own.body.suspension).toEqual(company.body.suspension);
    expect(own.body.features.backupsAllowed).toBe(false);
    await reactivateCompany(c.companyId, 'non_payment');
    const lifted = await getAccount(partner.apiKey, c.companyId, c.sub.id);
    expect(lifted.suspension).toBeNull();
    expect(lifted.features.backupsAllowed).toBe(true);
  });

  it('refuses a cancelled account', async () => {
    const c = await suspendableCompany();
    await call('DELETE', `/v1/companies/${c.companyId}/accounts/${c.sub.id}`, {
      token: partner.apiKey,
    });

    expectProblem(await suspendAccount(c.companyId, c.sub.id, 'manual'), 409, 'ACCOUNT_CANCELLED');
  });
});
