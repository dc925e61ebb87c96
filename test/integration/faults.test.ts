/**
 * DynamoDB faults DynamoDB Local cannot produce, on a create: each `CancellationReasons` kind and
 * throttling of the transaction. aws-sdk-client-mock stubs the one DocumentClient whose `send`
 * the store calls; every request not faulted here goes through to DynamoDB Local.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#lib/clients/dynamodb.ts';
import { AppError } from '#lib/errors.ts';
import { createAccount } from '#lib/provisioning/accounts.ts';
import { createCompany } from '#lib/provisioning/companies.ts';
import { allAccounts } from '#lib/store/accounts.ts';
import { companyBody, inCompany, newScope, uniqueUsername } from './support.ts';

const realSend = documentClient.send.bind(documentClient) as (command: unknown) => Promise<unknown>;
const mock = mockClient(documentClient);
/** Faults the next TransactWriteItems requests fail with, one each, in order. */
let faults: Array<() => Error> = [];

beforeAll(() => {
  mock.send.callsFake(((command: unknown) => {
    const fault = command instanceof TransactWriteCommand ? faults.shift() : undefined;
    return fault ? Promise.reject(fault()) : realSend(command);
  }) as never);
});
afterAll(() => {
  mock.restore();
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

const tally = { cases: 0, lost: 0, doubled: 0 };

async function createWith(injected: Array<() => Error>) {
  const scope = newScope();
  const { company } = await createCompany(scope, companyBody());
  const username = uniqueUsername('fault');
  faults = injected;
  const outcome = await createAccount(inCompany(scope, company.id), {
    username,
    plan: 'trial',
  }).then(
    (created) => ({ ok: true as const, created }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  faults = [];
  const stored = (await allAccounts(scope.partnerId, company.id)).filter(
    (a) => a.username === username,
  );
  tally.cases++;
  if (outcome.ok && stored.length === 0) tally.lost++;
  if (stored.length > 1) tally.doubled++;
  return { outcome, stored };
}

describe('DynamoDB faults on a create', () => {
  it.each([
    ['TransactionConflict', cancelled('None', 'TransactionConflict')],
    ['ThrottlingError', cancelled('ThrottlingError', 'None')],
  ])('retries a transaction cancelled by %s and creates the account once', async (_name, fault) => {
    const { outcome, stored } = await createWith([fault, fault]);
    expect(outcome.ok).toBe(true);
    expect(stored).toHaveLength(1);
  });

  it('answers the username step failing its condition as USERNAME_TAKEN, writing nothing', async () => {
    // The steps: company counter, account, username marker, …
    const { outcome, stored } = await createWith([
      cancelled('None', 'None', 'ConditionalCheckFailed'),
    ]);
    expect(outcome.ok ? null : (outcome.error as AppError).code).toBe('USERNAME_TAKEN');
    expect(stored).toHaveLength(0);
  });

  it('answers a ValidationError reason with a server error, writing nothing', async () => {
    const { outcome, stored } = await createWith([cancelled('None', 'ValidationError')]);
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? null : outcome.error).not.toBeInstanceOf(AppError);
    expect(stored).toHaveLength(0);
  });

  it('answers sustained contention with CONFLICT, writing nothing', async () => {
    const conflicts = Array.from({ length: 20 }, () => cancelled('TransactionConflict'));
    const { outcome, stored } = await createWith(conflicts);
    expect(outcome.ok ? null : (outcome.error as AppError).code).toBe('CONFLICT');
    expect(stored).toHaveLength(0);
  });

  it.each(['ProvisionedThroughputExceededException', 'ThrottlingException'])(
    'answers a transaction throttled past the SDK retries (%s) with a server error, writing nothing',
    async (name) => {
      const { outcome, stored } = await createWith([throttled(name)]);
      expect(outcome.ok).toBe(false);
      expect(stored).toHaveLength(0);
    },
  );

  it('summarises', () => {
    console.log(
      `faults: ${tally.cases} cases, ${tally.lost} accounts lost, ${tally.doubled} doubled`,
    );
    expect(tally).toEqual({ cases: 7, lost: 0, doubled: 0 });
  });
});
