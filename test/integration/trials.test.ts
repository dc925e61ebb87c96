import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { beforeEach, describe, expect, it } from 'vitest';
import { documentClient, dynamoDb, tableName } from '#lib/clients/dynamodb.ts';
import { deliverOutboxMessage } from '#lib/mail/deliver.ts';
import { createAccount, getAccount, updateAccount } from '#lib/provisioning/accounts.ts';
import { createCompany } from '#lib/provisioning/companies.ts';
import { listEvents } from '#lib/provisioning/events.ts';
import { createPartner } from '#lib/provisioning/partners.ts';
import { runTrialJob } from '#lib/provisioning/trials.ts';
import { ensureTable } from '../../scripts/lib/table.ts';
import {
  companyBody,
  createAccountIn,
  createCompanyFor,
  inCompany,
  newScope,
  uniqueUsername,
} from '../support/builders.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2031-03-01T10:00:00.000Z');
const at = (days: number, extraMs = 0) => new Date(T0 + days * DAY + extraMs);

/** Each test gets a table of its own: the job keeps one state item per table. */
beforeEach(async () => {
  process.env.TABLE_NAME = `trials-${ulid().toLowerCase()}`;
  await ensureTable(dynamoDb, tableName());
});

async function outbox(accountId: string) {
  const out = await documentClient.send(
    new ScanCommand({
      TableName: tableName(),
      FilterExpression: 'entity = :outbox AND accountId = :account',
      ExpressionAttributeValues: { ':outbox': 'OUTBOX', ':account': accountId },
    }),
  );
  return (out.Items ?? [])
    .map((item) => ({
      id: item.id as string,
      kind: item.kind as string,
      daysLeft: item.daysLeft as number | undefined,
    }))
    .filter((message) => message.kind !== 'welcome')
    .sort((a, b) => a.id.localeCompare(b.id));
}

async function indexEntries(accountId: string) {
  const out = await documentClient.send(
    new ScanCommand({ TableName: tableName(), IndexName: 'TrialDue' }),
  );
  return (out.Items ?? []).filter((item) => item.id === accountId);
}

/** A pooled company (50 GB, admin 10 GB) with a trial parent created at T0. */
async function trialAccount(trialDays = 30) {
  const { scope, company, companyScope } = await createCompanyFor(
    newScope(),
    { quotaMb: 51200, admin: { hardQuotaMb: 10240 } },
    at(0),
  );
  const { account } = await createAccountIn(companyScope, { plan: 'trial', trialDays }, at(0));
  return { scope, company, account };
}

describe('the trial job', () => {
  it('sends the 7-day and 1-day reminders and then expires the trial, each once', async () => {
    const { scope, company, account } = await trialAccount();

    const early = await runTrialJob({ now: at(22) });
    const week = await runTrialJob({ now: at(23, 60_000) });
    const weekAgain = await runTrialJob({ now: at(23, 120_000) });
    const day = await runTrialJob({ now: at(29, 60_000) });
    const end = await runTrialJob({ now: at(30, 1000) });
    const endAgain = await runTrialJob({ now: at(30, 5000) });

    expect([early.reminders7, week.reminders7, weekAgain.reminders7]).toEqual([0, 1, 0]);
    expect(day.reminders1).toBe(1);
    expect([end.expired, endAgain.expired]).toEqual([1, 0]);
    expect(await outbox(account.id)).toMatchObject([
      { kind: 'trial-reminder', daysLeft: 7 },
      { kind: 'trial-reminder', daysLeft: 1 },
      { kind: 'trial-expired' },
    ]);
    const expired = await getAccount(inCompany(scope, company.id), account.id);
    expect(expired.status).toBe('expired');
    expect(expired.features.backupsAllowed).toBe(false);
    expect(await indexEntries(account.id)).toHaveLength(0);
    // Each stage's event came with its e-mail, once, naming the job.
    const { items } = await listEvents(
      scope,
      { limit: 100, type: ['trial.reminder_sent', 'trial.expired'] },
      new Date(Date.now() + 60_000),
    );
    expect(items).toMatchObject([
      { type: 'trial.reminder_sent', actor: 'system:trial-job', data: { daysLeft: 7 } },
      { type: 'trial.reminder_sent', data: { daysLeft: 1, account: { id: account.id } } },
      { type: 'trial.expired', accountId: account.id, data: { account: expired } },
    ]);
  });

  it('catches up on missed days with the reminder that still makes sense', async () => {
    const { account } = await trialAccount();
    await runTrialJob({ now: at(1) });

    const late = await runTrialJob({ now: at(29, 3_600_000) });

    expect(late.reminders7).toBe(0);
    expect(late.reminders1).toBe(1);
    expect(late.daysScanned[0]).toBe(at(1).toISOString().slice(0, 10));
    expect(await outbox(account.id)).toMatchObject([{ kind: 'trial-reminder', daysLeft: 1 }]);
  });

  it('says how many days are really left in a reminder sent late', async () => {
    const { account } = await trialAccount();
    await runTrialJob({ now: at(1) });

    const late = await runTrialJob({ now: at(26) });

    expect(late.reminders7).toBe(1);
    expect(await outbox(account.id)).toMatchObject([{ kind: 'trial-reminder', daysLeft: 4 }]);
  });

  it('expires a trial whose end passed while the job did not run, with one e-mail', async () => {
    const { scope, company, account } = await trialAccount();
    await runTrialJob({ now: at(0, 60_000) });

    const result = await runTrialJob({ now: at(35) });

    expect(result).toMatchObject({ reminders7: 0, reminders1: 0, expired: 1, complete: true });
    expect(await outbox(account.id)).toMatchObject([{ kind: 'trial-expired' }]);
    expect((await getAccount(inCompany(scope, company.id), account.id)).status).toBe('expired');
  });

  it('sends each e-mail once when runs overlap', async () => {
    const { account } = await trialAccount();

    const runs = await Promise.all(
      Array.from({ length: 4 }, () => runTrialJob({ now: at(23, 60_000) })),
    );

    expect(runs.reduce((sum, run) => sum + run.reminders7, 0)).toBe(1);
    expect(await outbox(account.id)).toHaveLength(1);
  });

  it('expires sub-accounts with their parent', async () => {
    const { scope, company, account } = await trialAccount(10);
    const { account: sub } = await createAccount(
      inCompany(scope, company.id),
      { username: uniqueUsername('sub'), parentId: account.id },
      at(0, 1000),
    );
    expect(await indexEntries(sub.id)).toHaveLength(0);

    await runTrialJob({ now: at(10, 1000) });

    expect((await getAccount(inCompany(scope, company.id), sub.id)).status).toBe('expired');
  });

  it('moves an extended trial in the index and sends reminders for the new end', async () => {
    const { scope, company, account } = await trialAccount();
    await runTrialJob({ now: at(23, 60_000) });

    const extended = await updateAccount(
      inCompany(scope, company.id),
      account.id,
      { trialDays: 60 },
      at(24),
    );
    const [entry] = await indexEntries(account.id);

    expect(extended.trialEndsAt).toBe(at(60).toISOString());
    expect(entry?.TrialDuePK).toBe(`TRIAL#${at(53).toISOString().slice(0, 10)}`);
    expect((await runTrialJob({ now: at(30, 1000) })).expired).toBe(0);
    expect((await runTrialJob({ now: at(53, 1000) })).reminders7).toBe(1);
  });

  it('reactivates an expired trial extended past now', async () => {
    const { scope, company, account } = await trialAccount(10);
    await runTrialJob({ now: at(10, 1000) });
    expect((await getAccount(inCompany(scope, company.id), account.id)).status).toBe('expired');

    const extended = await updateAccount(
      inCompany(scope, company.id),
      account.id,
      { trialDays: 20 },
      at(11),
    );

    expect(extended.status).toBe('active');
    expect(await indexEntries(account.id)).toHaveLength(1);
  });

  it('takes a converted trial out of the index, also after expiry', async () => {
    const before = await trialAccount();
    const afterExpiry = await trialAccount(5);
    await runTrialJob({ now: at(5, 1000) });

    const converted = await updateAccount(
      inCompany(before.scope, before.company.id),
      before.account.id,
      { plan: 'basic' },
      at(2),
    );
    const revived = await updateAccount(
      inCompany(afterExpiry.scope, afterExpiry.company.id),
      afterExpiry.account.id,
      { plan: 'basic' },
      at(6),
    );

    expect(converted).toMatchObject({
      plan: 'basic',
      status: 'active',
      trialEndsAt: null,
      hardQuotaMb: 5120,
    });
    expect(revived).toMatchObject({ plan: 'basic', status: 'active', trialEndsAt: null });
    expect(revived.features.backupsAllowed).toBe(true);
    expect(await indexEntries(before.account.id)).toHaveLength(0);
    expect(await indexEntries(afterExpiry.account.id)).toHaveLength(0);
    expect((await runTrialJob({ now: at(40) })).expired).toBe(0);
  });

  it('e-mails the reminder to the contact, signed with the partner name', async () => {
    const { partnerId } = await createPartner('Backup Heroes', false);
    const scope = { ...newScope(), partnerId, partnerName: 'Backup Heroes' };
    const body = companyBody({ quotaMb: 51200 });
    body.admin.plan = 'trial';
    const { account, contact } = await createCompany(scope, body, at(0));
    await runTrialJob({ now: at(23, 60_000) });
    const [message] = await outbox(account.id);

    const outcome = await deliverOutboxMessage(message?.id as string);

    expect(outcome).toBe('sent');
    const response = await fetch(`${process.env.SES_ENDPOINT}/store`);
    const { emails } = (await response.json()) as {
      emails: Array<{
        from: string;
        subject: string;
        destination: { to: string[] };
        body: { text: string };
      }>;
    };
    const mail = emails.find(
      (e) => e.destination.to.includes(contact.email) && /trial/i.test(e.subject),
    );
    expect(mail?.subject).toBe('Your backup trial ends in 7 days');
    expect(mail?.from).toContain('Backup Heroes');
    expect(mail?.body.text).toContain(account.username);
  });

  it('works in pages and leaves what the deadline cut off to the next run', async () => {
    const accounts = [];
    for (let i = 0; i < 3; i++) accounts.push((await trialAccount()).account);

    const cut = await runTrialJob({ now: at(23, 60_000), deadline: Date.now() - 1 });
    const rest = await runTrialJob({ now: at(23, 60_000), pageSize: 1 });

    expect(cut).toMatchObject({ complete: false, reminders7: 0 });
    expect(rest).toMatchObject({ complete: true, reminders7: 3 });
    for (const account of accounts) expect(await outbox(account.id)).toHaveLength(1);
  });

  // 97 accounts made one by one: minutes on a loaded machine.
  it('refuses to convert a parent with more sub-accounts than one transaction holds, changing nothing', async () => {
    const scope = newScope();
    const body = companyBody({ quotaMb: 1000 * 1024, admin: { hardQuotaMb: 5120 } });
    const { company } = await createCompany(scope, body, at(0));
    const { account: parent } = await createAccount(
      inCompany(scope, company.id),
      { username: uniqueUsername('big'), plan: 'trial' },
      at(0),
    );
    for (let i = 0; i < 96; i++) {
      await createAccount(
        inCompany(scope, company.id),
        { username: uniqueUsername('s'), parentId: parent.id },
        at(0, i + 1),
      );
    }

    const converted = updateAccount(
      inCompany(scope, company.id),
      parent.id,
      { plan: 'basic' },
      at(1),
    );

    await expect(converted).rejects.toMatchObject({
      code: 'TOO_MANY_SUB_ACCOUNTS',
      extensions: { subAccounts: 96, maxSubAccounts: 94 },
    });
    expect((await getAccount(inCompany(scope, company.id), parent.id)).plan).toBe('trial');
    expect(await indexEntries(parent.id)).toHaveLength(1);
  }, 180_000);
});
