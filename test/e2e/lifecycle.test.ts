/**
 * Issue 12's demonstrations of quota alerts and suspension over HTTP against the local stack:
 * the stream's mailer delivers the e-mails, and the feed (`GET /v1/events`) lists the events.
 */
import { describe, expect, it } from 'vitest';
import { FEED_SETTLE_MS } from '#lib/rules/events.ts';
import { GB, strongPassword, uniqueName } from '../support/http-fixtures.ts';
import {
  call,
  createAccount,
  createCompany,
  drainOutbox,
  firstLogin,
  inbox,
  newPartner,
  newStorageKey,
} from './helpers.ts';

/** Every event of the partner's feed once the last change has settled. */
async function feed(apiKey: string, type: string) {
  await new Promise((resolve) => setTimeout(resolve, FEED_SETTLE_MS + 500));
  const reply = await call('GET', `/v1/events?limit=100&type=${type}`, { token: apiKey });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body.items as Array<{ type: string; accountId: string | null; data: any }>;
}

describe('quota alerts over HTTP', () => {
  it('81 % → one event and one e-mail; 85 % → nothing new; 74 % then 82 % → a second alert', async () => {
    // Prepare: a 5 GB sub-account with its own contact
    const partner = await newPartner(uniqueName('Alerts '));
    const storageKey = await newStorageKey();
    const created = await createCompany(partner.apiKey, {
      quotaMb: 50 * GB,
      admin: { hardQuotaMb: 25 * GB },
    });
    const email = `${uniqueName('uma.')}@customer.example`;
    const sub = await createAccount(partner.apiKey, created.company.id, {
      parentId: created.account.id,
      contact: { fullName: 'Uma User', email },
    });
    const report = async (usedMb: number) => {
      const reply = await call('POST', '/v1/usage-reports', {
        token: storageKey,
        body: { reports: [{ accountId: sub.account.id, usedMb }] },
      });
      expect(reply.status).toBe(200);
    };
    const alertMails = async () =>
      (await inbox()).filter(
        (mail) => mail.destination.to.includes(email) && / 80 % of its storage$/.test(mail.subject),
      );

    // Act and assess
    await report(4147);
    await drainOutbox();
    expect(await alertMails()).toHaveLength(1);
    await report(4352);
    await drainOutbox();
    expect(await alertMails()).toHaveLength(1);
    await report(3789);
    await report(4198);
    await drainOutbox();
    expect(await alertMails()).toHaveLength(2);
    const events = (await feed(partner.apiKey, 'quota.threshold_crossed,quota.recovered')).filter(
      (event) => event.accountId === sub.account.id,
    );
    expect(events.map((event) => [event.type, event.data.percentUsed])).toEqual([
      ['quota.threshold_crossed', 81],
      ['quota.recovered', 74],
      ['quota.threshold_crossed', 82],
    ]);
  });
});

describe('suspension over HTTP', () => {
  it('a suspended company’s accounts take no backups and its admin’s writes get 409; reactivating restores both', async () => {
    // Prepare
    const partner = await newPartner(uniqueName('Suspends '));
    const password = strongPassword('Adm');
    const created = await createCompany(partner.apiKey, {
      quotaMb: 50 * GB,
      admin: { hardQuotaMb: 10 * GB, password },
    });
    const companyId = created.company.id as string;
    const admin = await firstLogin(created.username, password);
    const adminWrite = () =>
      call('POST', `/v1/companies/${companyId}/contacts`, {
        token: admin.token,
        body: { fullName: 'Nina New', email: `${uniqueName('nina.')}@customer.example` },
      });
    const adminAccount = () =>
      call('GET', `/v1/companies/${companyId}/accounts/${created.account.id}`, {
        token: partner.apiKey,
      });

    // Act
    const suspended = await call('POST', `/v1/companies/${companyId}/suspend`, {
      token: partner.apiKey,
      body: { reason: 'non_payment' },
    });
    const whileSuspended = { account: await adminAccount(), write: await adminWrite() };
    const reactivated = await call('POST', `/v1/companies/${companyId}/reactivate`, {
      token: partner.apiKey,
      body: { reason: 'non_payment' },
    });
    const afterwards = { account: await adminAccount(), write: await adminWrite() };

    // Assess
    expect(suspended.body.suspension.reasons).toEqual(['non_payment']);
    expect(whileSuspended.account.body.features.backupsAllowed).toBe(false);
    expect(whileSuspended.write.status).toBe(409);
    expect(whileSuspended.write.body.code).toBe('COMPANY_SUSPENDED');
    expect(reactivated.body.suspension).toBeNull();
    expect(afterwards.account.body.features.backupsAllowed).toBe(true);
    expect(afterwards.write.status).toBe(201);
    await drainOutbox();
    const subjects = (await inbox())
      .filter((mail) => mail.destination.to.includes(created.email))
      .map((mail) => mail.subject);
    expect(subjects).toContain(`${created.company.name} is suspended`);
    expect(subjects).toContain(`${created.company.name} is active again`);
    const types = (await feed(partner.apiKey, 'company.suspended,company.reactivated')).map(
      (event) => event.type,
    );
    expect(types).toEqual(['company.suspended', 'company.reactivated']);
  });
});
