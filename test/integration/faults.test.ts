/**
 * DynamoDB faults DynamoDB Local cannot produce, on a create: each `CancellationReasons` kind and
 * throttling of the transaction. aws-sdk-client-mock stubs the one DocumentClient whose `send`
 * the store calls; every request not faulted here goes through to DynamoDB Local.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand } from '@aws-sdk/client-ses';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#lib/clients/dynamodb.ts';
import { ses } from '#lib/clients/ses.ts';
import { AppError } from '#lib/errors.ts';
import { deliverOutboxMessage } from '#lib/mail/deliver.ts';
import { createAccount } from '#lib/provisioning/accounts.ts';
import { createCompany } from '#lib/provisioning/companies.ts';
import { allAccounts } from '#lib/store/accounts.ts';
import { getOutboxMessage } from '#lib/store/outbox.ts';
import { companyBody, inCompany, newScope, uniqueUsername } from '../support/builders.ts';
import { outboxIdsFor } from './support.ts';

const realSend = documentClient.send.bind(documentClient) as (command: unknown) => Promise<unknown>;
const mock = mockClient(documentClient);
/** Faults the next TransactWriteItems requests fail with, one each, in order. */
let faults: Array<() => Error> = [];
/** Faults the next UpdateItem requests (the mailer's record of a send) fail with. */
let updateFaults: Array<() => Error> = [];
/** SES is stubbed too: what it accepted, and the faults its next sends fail with. */
const sesMock = mockClient(ses);
const accepted: string[] = [];
let sesFaults: Array<() => Error> = [];

beforeAll(() => {
  mock.send.callsFake(((command: unknown) => {
    const fault =
      command instanceof TransactWriteCommand
        ? faults.shift()
        : command instanceof UpdateCommand
          ? updateFaults.shift()
          : undefined;
    return fault ? Promise.reject(fault()) : realSend(command);
  }) as never);
  sesMock.on(SendEmailCommand).callsFake((input) => {
    const fault = sesFaults.shift();
    if (fault) throw fault();
    accepted.push(String(input.Destination?.ToAddresses?.[0]));
    return { MessageId: `ses-${accepted.length}` };
  });
});
afterAll(() => {
  mock.restore();
  sesMock.restore();
});

const cancelled =
  (...codes: string[]) =>
  () =>
    new TransactionCanceledException({
      message: 'Transaction cancelled',
      $metadata: {},
      CancellationReasons: codes.map((Code) => ({ Code })),
    });
const throttled = (name: string) => () =>
  Object.assign(new Error('Rate exceeded'), {
    name,
    $fault: 'client',
    $retryable: { throttling: true },
  });

const tally = { cases: 0, lost: 0, doubled: 0, emailsLost: 0, duplicates: 0 };

async function createWith(injected: Array<() => Error>) {
  const scope = newScope();
  const { company } = await createCompany(scope, companyBody());
  const username = uniqueUsername('fault');
  faults = injected;
  const [outcome] = await Promise.allSettled([
    createAccount(inCompany(scope, company.id), { username, plan: 'trial' }),
  ]);
  faults = [];
  const stored = (await allAccounts(scope.partnerId, company.id)).filter(
    (a) => a.username === username,
  );
  tally.cases++;
  if (outcome?.status === 'fulfilled' && stored.length === 0) tally.lost++;
  if (stored.length > 1) tally.doubled++;
  return { outcome: outcome as PromiseSettledResult<unknown>, stored };
}

describe('DynamoDB faults on a create', () => {
  it.each([
    ['TransactionConflict', cancelled('None', 'TransactionConflict')],
    ['ThrottlingError', cancelled('ThrottlingError', 'None')],
  ])('retries a transaction cancelled by %s and creates the account once', async (_name, fault) => {
    const { outcome, stored } = await createWith([fault, fault]);
    expect(outcome.status).toBe('fulfilled');
    expect(stored).toHaveLength(1);
  });

  it('answers the username step failing its condition as USERNAME_TAKEN, writing nothing', async () => {
    // The steps: company counter, account, username marker, …
    const { outcome, stored } = await createWith([
      cancelled('None', 'None', 'ConditionalCheckFailed'),
    ]);
    expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'USERNAME_TAKEN' } });
    expect(stored).toHaveLength(0);
  });

  it('answers a ValidationError reason with a server error, writing nothing', async () => {
    const { outcome, stored } = await createWith([cancelled('None', 'ValidationError')]);
    expect(outcome.status).toBe('rejected');
    expect((outcome as PromiseRejectedResult).reason).not.toBeInstanceOf(AppError);
    expect(stored).toHaveLength(0);
  });

  it('answers sustained contention with CONFLICT, writing nothing', async () => {
    const conflicts = Array.from({ length: 20 }, () => cancelled('TransactionConflict'));
    const { outcome, stored } = await createWith(conflicts);
    expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'CONFLICT' } });
    expect(stored).toHaveLength(0);
  });

  it.each(['ProvisionedThroughputExceededException', 'ThrottlingException'])(
    'answers a transaction throttled past the SDK retries (%s) with a server error, writing nothing',
    async (name) => {
      const { outcome, stored } = await createWith([throttled(name)]);
      expect(outcome.status).toBe('rejected');
      expect(stored).toHaveLength(0);
    },
  );
});

/** The welcome message of a new company's admin, as queued in the outbox. */
async function welcomeMessage() {
  const scope = newScope();
  const { account, contact } = await createCompany(scope, companyBody());
  const [id] = await outboxIdsFor(account.id, 'welcome');
  return { id: id as string, to: contact.email };
}

/** Delivers like the outbox stream does: again after each failure, until it goes through. */
async function deliverUntilDone(id: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      await deliverOutboxMessage(id);
      return attempt;
    } catch (error) {
      expect((await getOutboxMessage(id))?.sentAt).toBeNull();
      if (attempt >= 5) throw error;
    }
  }
}

describe('SES faults for the mailer', () => {
  const sesError = (name: string) => () =>
    Object.assign(new Error(name), { name, $fault: name === 'Throttling' ? 'client' : 'server' });

  it.each(['Throttling', 'ServiceUnavailable'])(
    'keeps the message unsent through %s and sends it once when SES is back',
    async (name) => {
      const message = await welcomeMessage();
      sesFaults = [sesError(name), sesError(name)];

      const attempts = await deliverUntilDone(message.id);

      const sent = accepted.filter((to) => to === message.to).length;
      tally.cases++;
      if (sent === 0) tally.emailsLost++;
      tally.duplicates += Math.max(0, sent - 1);
      expect(attempts).toBe(3);
      expect(sent).toBe(1);
      expect((await getOutboxMessage(message.id))?.sentAt).not.toBeNull();
    },
  );

  it('repeats an e-mail at most once when the mailer dies after SES accepted it', async () => {
    const message = await welcomeMessage();
    // The record of the send fails, as if the invocation died between SES and the table.
    updateFaults = [() => new Error('The invocation died before recording the send')];

    await deliverUntilDone(message.id);
    await deliverOutboxMessage(message.id);

    updateFaults = [];
    const sent = accepted.filter((to) => to === message.to).length;
    tally.cases++;
    if (sent === 0) tally.emailsLost++;
    tally.duplicates += Math.max(0, sent - 1);
    // Bound: one duplicate per crash between SES accepting and the send being recorded.
    expect(sent).toBe(2);
    expect((await getOutboxMessage(message.id))?.sentAt).not.toBeNull();
  });
});

describe('all faults', () => {
  it('summarises', () => {
    console.log(
      `faults: ${tally.cases} cases, ${tally.lost} accounts lost, ${tally.doubled} doubled, ${tally.emailsLost} e-mails lost, ${tally.duplicates} duplicates (bound 1)`,
    );
    expect(tally).toEqual({ cases: 10, lost: 0, doubled: 0, emailsLost: 0, duplicates: 1 });
  });
});
