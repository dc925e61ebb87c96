/**
 * Quota alerts through the gateway (SPEC §2.9, issue 12): levels raised by usage reports,
 * resizes, the user quota and pool resizes, each crossing upwards e-mailed and written as an
 * event once, lowered only 5 points below, and raised once when two reports race.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { reportUsage } from '#lib/provisioning/usage.ts';
import {
  call,
  createAccount,
  createCompany,
  firstLogin,
  getAccount,
  getCompany,
} from '../../support/gateway.ts';
import { GB, strongPassword, uniqueName } from '../../support/http-fixtures.ts';
import { countRequests } from '../support.ts';
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
  [partner, storageKey] = await Promise.all([newPartnerWithKey('Alerts IT'), newStorageKey()]);
});

const report = async (accountId: string, usedMb: number) => {
  const reply = await call('POST', '/v1/usage-reports', {
    token: storageKey,
    body: { reports: [{ accountId, usedMb }] },
  });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
};

/** The quota events and alert e-mails the table holds about an account or, with null, its company. */
async function alertsOf(companyId: string, accountId: string | null) {
  const items = (await scanTable()).filter(
    (item) =>
      item.companyId === companyId &&
      (accountId === null
        ? item.accountId === null || item.entity === 'OUTBOX'
        : item.accountId === accountId),
  );
  const events = items
    .filter((item) => item.entity === 'EVENT' && String(item.type).startsWith('quota.'))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
  const mails = items.filter(
    (item) =>
      item.entity === 'OUTBOX' &&
      item.kind === 'quota-alert' &&
      (accountId === null ? item.companyName !== undefined : item.companyName === undefined),
  );
  return {
    events: events.map((item) => [item.type, (item.data as { level: number }).level]),
    data: events.map((item) => item.data as Record<string, unknown>),
    mails: mails.length,
  };
}

/** A 50 GB pool: the admin 25 GB, a 5 GB sub-account with its own contact and a user session. */
async function watchedCompany() {
  const created = await createCompany(partner.apiKey, {
    quotaMb: 50 * GB,
    admin: { hardQuotaMb: 25 * GB },
  });
  const companyId = created.company.id as string;
  const email = `${uniqueName('user.')}@customer.example`;
  const password = strongPassword('Usr');
  const sub = await createAccount(partner.apiKey, companyId, {
    parentId: created.account.id,
    password,
    contact: { fullName: 'Uma User', email },
  });
  return {
    companyId,
    adminId: created.account.id as string,
    adminEmail: created.email,
    subId: sub.account.id as string,
    subUsername: sub.account.username as string,
    password,
    email,
  };
}

describe('an account’s quota alerts', () => {
  it('81 % alerts once, 85 % adds nothing, 74 % recovers and 82 % alerts again', async () => {
    // Prepare: 5 GB = 5120 MB
    const c = await watchedCompany();

    // Act and assess, report by report
    await report(c.subId, 4147);
    expect(await alertsOf(c.companyId, c.subId)).toMatchObject({
      events: [['quota.threshold_crossed', 80]],
      mails: 1,
    });
    expect((await getAccount(partner.apiKey, c.companyId, c.subId)).alertLevel).toBe(80);

    await report(c.subId, 4352);
    expect(await alertsOf(c.companyId, c.subId)).toMatchObject({
      events: [['quota.threshold_crossed', 80]],
      mails: 1,
    });

    await report(c.subId, 3789);
    expect((await getAccount(partner.apiKey, c.companyId, c.subId)).alertLevel).toBe(0);
    await report(c.subId, 4198);

    const alerts = await alertsOf(c.companyId, c.subId);
    expect(alerts.events).toEqual([
      ['quota.threshold_crossed', 80],
      ['quota.recovered', 0],
      ['quota.threshold_crossed', 80],
    ]);
    expect(alerts.mails).toBe(2);
    expect(alerts.data[0]).toEqual({
      subject: 'account',
      level: 80,
      previousLevel: 0,
      usedMb: 4147,
      quotaMb: 5120,
      percentUsed: 81,
    });
    expect(alerts.data[1]).toMatchObject({ level: 0, previousLevel: 80, percentUsed: 74 });
    // The account's contact got the two, saying how full it is.
    await deliverOutbox(partner.partnerId);
    const mails = (await emailsTo(c.email)).filter((m) => /80 % of its storage/.test(m.subject));
    expect(mails).toHaveLength(2);
    const texts = mails.map((mail) => mail.body.text);
    expect(texts.every((text) => text.includes(`Your backup account ${c.subUsername}`))).toBe(true);
    expect(texts.some((text) => text.includes('has used 81 % of its quota'))).toBe(true);
    expect(texts.some((text) => text.includes('has used 82 % of its quota'))).toBe(true);
  });

  it('cost a report no request more: two batch reads and the one transaction', async () => {
    const c = await watchedCompany();

    const { requests } = await countRequests(() =>
      reportUsage([{ accountId: c.subId, usedMb: 4147 }]),
    );

    expect(requests).toEqual([
      'BatchGetItemCommand',
      'BatchGetItemCommand',
      'TransactWriteItemsCommand',
    ]);
    expect(await alertsOf(c.companyId, c.subId)).toMatchObject({
      events: [['quota.threshold_crossed', 80]],
      mails: 1,
    });
  });

  it('two reports crossing at once raise the level once', async () => {
    const c = await watchedCompany();

    await Promise.all([report(c.subId, 4147), report(c.subId, 4198), report(c.subId, 4250)]);

    const alerts = await alertsOf(c.companyId, c.subId);
    expect(alerts.events).toEqual([['quota.threshold_crossed', 80]]);
    expect(alerts.mails).toBe(1);
    expect((await getAccount(partner.apiKey, c.companyId, c.subId)).alertLevel).toBe(80);
  });

  it('a smaller quota raises the level and alerts at once; a larger one lowers it without an e-mail', async () => {
    // Prepare: the sub-account at 10 GB, 4500 MB used (44 %)
    const c = await watchedCompany();
    const path = `/v1/companies/${c.companyId}/accounts/${c.subId}`;
    await call('PATCH', path, { token: partner.apiKey, body: { hardQuotaMb: 10 * GB } });
    await report(c.subId, 4500);

    // Act
    const smaller = await call('PATCH', path, {
      token: partner.apiKey,
      body: { hardQuotaMb: 5 * GB },
    });
    const larger = await call('PATCH', path, {
      token: partner.apiKey,
      body: { hardQuotaMb: 10 * GB },
    });

    // Assess
    expect(smaller.body).toMatchObject({ alertLevel: 80, percentUsed: 87.9 });
    expect(larger.body).toMatchObject({ alertLevel: 0, percentUsed: 43.9 });
    const alerts = await alertsOf(c.companyId, c.subId);
    expect(alerts.events).toEqual([
      ['quota.threshold_crossed', 80],
      ['quota.recovered', 0],
    ]);
    expect(alerts.mails).toBe(1);
  });

  it('the user’s own quota is watched too: setting it low alerts', async () => {
    const c = await watchedCompany();
    const user = await firstLogin(c.subUsername, c.password);
    await report(c.subId, 3000);

    const reply = await call('PATCH', '/v1/me', { token: user.token, body: { userQuotaMb: 3500 } });

    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body).toMatchObject({ effectiveQuotaMb: 3500, alertLevel: 80 });
    expect(await alertsOf(c.companyId, c.subId)).toMatchObject({
      events: [['quota.threshold_crossed', 80]],
      mails: 1,
    });
  });
});

describe('a company pool’s quota alerts', () => {
  it('are raised on the total use, e-mailed to the admin’s contact, and lowered by a larger pool', async () => {
    // Prepare: a 50 GB pool; the admin and the sub-account together at 78 %
    const c = await watchedCompany();
    await call('PATCH', `/v1/companies/${c.companyId}/accounts/${c.subId}`, {
      token: partner.apiKey,
      body: { hardQuotaMb: 25 * GB },
    });
    await Promise.all([report(c.adminId, 20_000), report(c.subId, 20_000)]);
    expect((await getCompany(partner.apiKey, c.companyId)).alertLevel).toBe(0);

    // Act: the sub-account's use takes the pool past 80 %
    await report(c.subId, 21_000);
    const crossed = await getCompany(partner.apiKey, c.companyId);
    const grown = await call('PATCH', `/v1/companies/${c.companyId}`, {
      token: partner.apiKey,
      body: { quotaMb: 100 * GB },
    });

    // Assess
    expect(crossed).toMatchObject({ usedMb: 41_000, alertLevel: 80 });
    expect(grown.body).toMatchObject({ quotaMb: 100 * GB, alertLevel: 0 });
    const alerts = await alertsOf(c.companyId, null);
    expect(alerts.events).toEqual([
      ['quota.threshold_crossed', 80],
      ['quota.recovered', 0],
    ]);
    expect(alerts.data[0]).toEqual({
      subject: 'company',
      level: 80,
      previousLevel: 0,
      usedMb: 41_000,
      quotaMb: 50 * GB,
      percentUsed: 80.1,
    });
    expect(alerts.mails).toBe(1);
    await deliverOutbox(partner.partnerId);
    const mail = (await emailsTo(c.adminEmail)).find((m) => /80 % of its storage/.test(m.subject));
    expect(mail?.body.text).toContain('The storage pool of');
  });

  it('reports for two accounts crossing the pool’s level at once raise it once', async () => {
    const c = await watchedCompany();
    await call('PATCH', `/v1/companies/${c.companyId}/accounts/${c.subId}`, {
      token: partner.apiKey,
      body: { hardQuotaMb: 25 * GB },
    });
    await Promise.all([report(c.adminId, 19_000), report(c.subId, 19_000)]);

    await Promise.all([report(c.adminId, 21_000), report(c.subId, 21_000)]);

    expect(await getCompany(partner.apiKey, c.companyId)).toMatchObject({
      usedMb: 42_000,
      alertLevel: 80,
    });
    expect(await alertsOf(c.companyId, null)).toMatchObject({
      events: [['quota.threshold_crossed', 80]],
      mails: 1,
    });
  });
});
