import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { handler as sendOutbox } from '#functions/send-outbox.ts';
import { verifySecret } from '#lib/auth/secrets.ts';
import { createAccount, getAccount } from '#lib/provisioning/accounts.ts';
import { createCompany } from '#lib/provisioning/companies.ts';
import { keys } from '#lib/store/keys.ts';
import { getItem } from '#lib/store/table.ts';
import {
  companyBody,
  inCompany,
  newScope,
  sampleEvent,
  uniqueUsername,
} from '../support/builders.ts';
import { lambdaContext } from '../support/lambda-context.ts';
import { scanForValue } from './scan.ts';
import { emailsTo, outboxIdsFor, passwordIn } from './support.ts';

/** The outbox message a transaction wrote for an account, as its stream record would carry it. */
async function outboxRecordFor(accountId: string): Promise<DynamoDBStreamEvent> {
  const [messageId] = await outboxIdsFor(accountId, 'welcome');
  if (!messageId) throw new Error(`No outbox message for ${accountId}`);
  const event = sampleEvent<DynamoDBStreamEvent>('dynamodb/outbox-insert');
  const record = event.Records[0] as DynamoDBStreamEvent['Records'][number];
  const key = keys.outbox(messageId);
  record.dynamodb = {
    ...record.dynamodb,
    Keys: { PK: { S: key.PK }, SK: { S: key.SK } },
    NewImage: {
      PK: { S: key.PK },
      SK: { S: key.SK },
      entity: { S: 'OUTBOX' },
      id: { S: messageId },
    },
  };
  return event;
}

describe('the welcome e-mail', () => {
  afterEach(() => {
    mockClient(SESClient).restore();
  });

  it('is sent once with a generated password whose hash alone is stored', async () => {
    const scope = newScope();
    const body = companyBody();
    const { account, contact } = await createCompany(scope, body);
    const event = await outboxRecordFor(account.id);

    const first = await sendOutbox(event, lambdaContext());
    const redelivered = await sendOutbox(event, lambdaContext());

    expect(first.batchItemFailures).toEqual([]);
    expect(redelivered.batchItemFailures).toEqual([]);
    const emails = await emailsTo(contact.email);
    expect(emails).toHaveLength(1);
    const password = passwordIn((emails[0] as { body: { text: string } }).body.text) as string;
    expect(password).toMatch(/^[A-Za-z2-9]{16}$/);
    expect((emails[0] as { subject: string }).subject).not.toContain(password);
    const stored = await getItem(keys.account(scope.partnerId, account.companyId, account.id));
    expect(await verifySecret(password, stored?.passwordHash as string)).toBe(true);
    expect(await scanForValue(password)).toEqual([]);
  });

  it('warns an UltraSafe user that a lost password cannot be recovered', async () => {
    const scope = newScope();
    const body = companyBody({ admin: { hardQuotaMb: 5120 } });
    const { company } = await createCompany(scope, body);
    const email = `${uniqueUsername('safe')}@hightech.example`;
    const { account } = await createAccount(inCompany(scope, company.id), {
      username: uniqueUsername('safe'),
      plan: 'basic',
      ultraSafe: true,
      contact: { fullName: 'Sara Safe', email },
    });

    await sendOutbox(await outboxRecordFor(account.id), lambdaContext());

    const [mail] = await emailsTo(email);
    expect(mail?.body.text).toMatch(/UltraSafe/);
    expect(mail?.body.text).toMatch(/cannot be restored|cannot.*recover/i);
  });

  it('survives an SES outage: retried, delivered once, with the password that is stored', async () => {
    const scope = newScope();
    const { account } = await createCompany(scope, companyBody());
    const event = await outboxRecordFor(account.id);
    const ses = mockClient(SESClient);
    ses
      .on(SendEmailCommand)
      .rejectsOnce(
        Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' }),
      )
      .resolves({ MessageId: 'ses-retried-1' });

    const failed = await sendOutbox(event, lambdaContext());
    const retried = await sendOutbox(event, lambdaContext());
    const redelivered = await sendOutbox(event, lambdaContext());

    const sequence = event.Records[0]?.dynamodb?.SequenceNumber;
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: sequence }]);
    expect(retried.batchItemFailures).toEqual([]);
    expect(redelivered.batchItemFailures).toEqual([]);
    const calls = ses.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(2);
    const delivered = calls[1]?.args[0].input.Message?.Body?.Text?.Data as string;
    const password = passwordIn(delivered) as string;
    const stored = await getItem(keys.account(scope.partnerId, account.companyId, account.id));
    expect(await verifySecret(password, stored?.passwordHash as string)).toBe(true);
    const firstAttempt = passwordIn(calls[0]?.args[0].input.Message?.Body?.Text?.Data as string);
    expect(firstAttempt).not.toBe(password);
    expect(
      (await getAccount(inCompany(scope, account.companyId), account.id)).mustChangePassword,
    ).toBe(true);
  });

  it('sends no password when the creator chose it, and stores that password hashed', async () => {
    const scope = newScope();
    const body = companyBody();
    body.admin.password = 'Corr3ct-Horse-Battery';
    const { account, contact } = await createCompany(scope, body);

    await sendOutbox(await outboxRecordFor(account.id), lambdaContext());

    const [mail] = await emailsTo(contact.email);
    expect(mail?.body.text).not.toContain('Corr3ct-Horse-Battery');
    expect(mail?.body.text).toMatch(/administrator/);
    expect(await scanForValue('Corr3ct-Horse-Battery')).toEqual([]);
    const stored = await getItem(keys.account(scope.partnerId, account.companyId, account.id));
    expect(await verifySecret('Corr3ct-Horse-Battery', stored?.passwordHash as string)).toBe(true);
  });
});
