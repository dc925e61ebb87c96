import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ulid } from 'ulid';
import { afterEach, describe, expect, it } from 'vitest';
import { handler as createAccountHandler } from '#functions/create-account.ts';
import { handler as createCompanyHandler } from '#functions/create-company.ts';
import { handler as createContactHandler } from '#functions/create-contact.ts';
import { handler as reportUsageHandler } from '#functions/report-usage.ts';
import { handler as resetPasswordHandler } from '#functions/reset-password.ts';
import type { PartnerPrincipal, Principal } from '#lib/auth/principal.ts';
import { documentClient } from '#lib/clients/dynamodb.ts';
import type { HttpEvent } from '#lib/http/handler.ts';
import { createCompany } from '#lib/provisioning/companies.ts';
import { partnerScope } from '#lib/provisioning/scope.ts';
import { allAccounts } from '#lib/store/accounts.ts';
import { listContacts } from '#lib/store/contacts.ts';
import { companyBody, idempotentPost, uniqueUsername } from '../support/builders.ts';
import { lambdaContext } from '../support/lambda-context.ts';
import { countRequests, outboxIdsFor } from './support.ts';

type Handler = (event: HttpEvent, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

/**
 * The crash between a commit and its reply, in process: a middleware on the one DynamoDB client
 * lets the next TransactWriteItems through to DynamoDB Local and then fails the invocation
 * (`throws`, as a runtime error after the commit would) or never returns (`hangs`, as a Lambda
 * timing out after its commit: no error handler runs, nothing after the commit is written).
 */
let crash: 'throws' | 'hangs' | null = null;
/** The next TransactWriteItems requests wait for these, one each, before they are sent. */
let holds: Array<Promise<void>> = [];
/** How many held requests have started waiting. */
let waiting = 0;
const CRASH = 'crash-after-commit';
documentClient.middlewareStack.add(
  (next, context) => async (args) => {
    const transaction = String(context.commandName).startsWith('TransactWrite');
    const held = transaction ? holds.shift() : undefined;
    if (held) {
      waiting++;
      await held;
    }
    const out = await next(args);
    if (crash && String(context.commandName).startsWith('TransactWrite')) {
      const how = crash;
      crash = null;
      if (how === 'throws') throw new Error('The invocation died after its commit');
      return new Promise<never>(() => {});
    }
    return out;
  },
  { step: 'initialize', name: CRASH },
);
afterEach(() => {
  crash = null;
  holds = [];
  waiting = 0;
});

const event = (path: string, body: unknown, idempotencyKey: string, caller: Principal) =>
  idempotentPost('http/create-company', { path, body, idempotencyKey, caller });

async function send(handler: Handler, request: HttpEvent, context = lambdaContext()) {
  // Invoked from a context of its own, as the Lambda runtime does for every invocation.
  await Promise.resolve();
  const reply = (await handler(request, context)) as APIGatewayProxyStructuredResultV2;
  return {
    status: reply.statusCode,
    location: reply.headers?.location,
    body: reply.body ? JSON.parse(reply.body as string) : undefined,
  };
}

/** The first attempt, which commits and never answers. */
async function crashing(how: 'throws' | 'hangs', handler: Handler, request: HttpEvent) {
  crash = how;
  // A Lambda that timed out has its in-progress time run out too, so a retry may take the key
  // over: the in-progress record is given 1 ms (the first reading, Powertools'), the handler
  // itself the usual time.
  let readings = 0;
  const context = {
    ...lambdaContext(),
    getRemainingTimeInMillis: () => (readings++ === 0 ? 1 : 10_000),
  };
  // Invoked from a context of its own, as the Lambda runtime does for every invocation.
  const first = Promise.resolve().then(() =>
    handler(request, context),
  ) as Promise<APIGatewayProxyStructuredResultV2>;
  if (how === 'throws') expect((await first).statusCode).toBe(500);
  else await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(crash).toBeNull();
}

const partner = (): PartnerPrincipal => ({
  kind: 'partner',
  partnerId: ulid(),
  partnerName: 'Acme IT',
  fineIncrements: false,
  via: { type: 'key', id: ulid(), scope: 'full' },
});

const companyOf = (caller: PartnerPrincipal) => createCompany(partnerScope(caller), companyBody());

describe('a keyed request whose change was committed but whose reply never left', () => {
  it.each(['throws', 'hangs'] as const)(
    'creates the account once and answers the retry with the first response (invocation %s)',
    async (how) => {
      // Prepare
      const caller = partner();
      const { company } = await companyOf(caller);
      const path = `/v1/companies/${company.id}/accounts`;
      const body = { username: uniqueUsername(), plan: 'trial' };
      const key = ulid();
      const request = () => {
        const sample = event(path, body, key, caller);
        sample.pathParameters = { companyId: company.id };
        return sample;
      };

      // Act
      await crashing(how, createAccountHandler, request());
      const retry = await send(createAccountHandler, request());
      const again = await send(createAccountHandler, request());

      // Assess
      expect(retry.status).toBe(201);
      expect(retry.body.account.username).toBe(body.username);
      expect(retry.location).toBe(`${path}/${retry.body.account.id}`);
      expect(again).toEqual(retry);
      const accounts = await allAccounts(caller.partnerId, company.id);
      expect(accounts.filter((a) => a.username === body.username).map((a) => a.id)).toEqual([
        retry.body.account.id,
      ]);
    },
  );

  it('creates the company once and answers the retry with the first response', async () => {
    const caller = partner();
    const body = companyBody();
    const key = ulid();

    await crashing('throws', createCompanyHandler, event('/v1/companies', body, key, caller));
    const retry = await send(createCompanyHandler, event('/v1/companies', body, key, caller));

    expect(retry.status).toBe(201);
    expect(retry.location).toBe(`/v1/companies/${retry.body.company.id}`);
    expect(retry.body.account.username).toBe(body.admin.username);
  });

  it('creates the contact once', async () => {
    const caller = partner();
    const { company } = await companyOf(caller);
    const path = `/v1/companies/${company.id}/contacts`;
    const body = { fullName: 'Carl Contact', email: 'carl@hightech.example' };
    const key = ulid();
    const request = () => {
      const sample = event(path, body, key, caller);
      sample.pathParameters = { companyId: company.id };
      return sample;
    };

    await crashing('throws', createContactHandler, request());
    const retry = await send(createContactHandler, request());

    expect(retry.status).toBe(201);
    const contacts = await listContacts(caller.partnerId, company.id, 100, undefined);
    expect(contacts.items.filter((c) => c.fullName === 'Carl Contact')).toHaveLength(1);
  });

  it('queues the password-reset e-mail once', async () => {
    const caller = partner();
    const { company, account } = await companyOf(caller);
    const path = `/v1/companies/${company.id}/accounts/${account.id}/password-reset`;
    const key = ulid();
    const request = () => {
      const sample = event(path, undefined, key, caller);
      sample.pathParameters = { companyId: company.id, accountId: account.id };
      return sample;
    };

    await crashing('throws', resetPasswordHandler, request());
    const retry = await send(resetPasswordHandler, request());

    expect(retry.status).toBe(202);
    expect(await outboxIdsFor(account.id, 'password-reset')).toHaveLength(1);
  });

  it('answers a usage report with the first response', async () => {
    const caller = partner();
    const { account } = await companyOf(caller);
    const service: Principal = { kind: 'storage' };
    const body = {
      reports: [
        { accountId: account.id, usedMb: 5 },
        { accountId: ulid(), usedMb: 1 },
      ],
    };
    const key = ulid();

    await crashing('throws', reportUsageHandler, event('/v1/usage-reports', body, key, service));
    const retry = await send(reportUsageHandler, event('/v1/usage-reports', body, key, service));

    expect(retry.status).toBe(200);
    expect(retry.body.accepted).toBe(1);
    expect(retry.body.unknownAccountIds).toEqual([body.reports[1]?.accountId]);
  });
});

describe('a keyed request overtaken by its retry', () => {
  it('commits nothing once a retry took its record over: one contact, made by the retry', async () => {
    const caller = partner();
    const { company } = await companyOf(caller);
    const path = `/v1/companies/${company.id}/contacts`;
    const body = { fullName: 'Slow Contact', email: 'slow@hightech.example' };
    const key = ulid();
    const request = () => {
      const sample = event(path, body, key, caller);
      sample.pathParameters = { companyId: company.id };
      return sample;
    };
    const gates = [0, 1].map(() => {
      let open = () => {};
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      return { gate, open };
    });
    holds = gates.map(({ gate }) => gate);
    const until = async (count: number) => {
      while (waiting < count) await new Promise((resolve) => setTimeout(resolve, 20));
    };
    // The first request's in-progress time runs out while its transaction is held back; the
    // retry takes the key over and is held back too; then the first one's goes on.
    let readings = 0;
    const slowContext = {
      ...lambdaContext(),
      getRemainingTimeInMillis: () => (readings++ === 0 ? 1 : 10_000),
    };

    const slow = send(createContactHandler, request(), slowContext);
    await until(1);
    const retrying = send(createContactHandler, request());
    await until(2);
    gates[0]?.open();
    const late = await slow;
    gates[1]?.open();
    const retry = await retrying;

    expect(late.status).toBe(409);
    expect(retry.status).toBe(201);
    const contacts = await listContacts(caller.partnerId, company.id, 100, undefined);
    expect(contacts.items.filter((c) => c.fullName === 'Slow Contact').map((c) => c.id)).toEqual([
      retry.body.id,
    ]);
  });
});

describe('the cost of a keyed create', () => {
  it('is one read, the in-progress record and one transaction: the record is completed in it', async () => {
    const caller = partner();
    const { company } = await companyOf(caller);
    const path = `/v1/companies/${company.id}/accounts`;
    const sample = event(path, { username: uniqueUsername(), plan: 'trial' }, ulid(), caller);
    sample.pathParameters = { companyId: company.id };

    const { result, requests } = await countRequests(() => send(createAccountHandler, sample));

    expect(result.status).toBe(201);
    console.log(
      `keyed create account: ${requests.length} DynamoDB requests (${requests.join(', ')})`,
    );
    expect(requests).toEqual([
      'PutItemCommand',
      'BatchGetItemCommand',
      'TransactWriteItemsCommand',
    ]);
  });
});

describe('a reused key whose body differs only in a secret', () => {
  it('is refused as another body, never answered with the first account', async () => {
    const caller = partner();
    const { company } = await companyOf(caller);
    const path = `/v1/companies/${company.id}/accounts`;
    const username = uniqueUsername();
    const key = ulid();
    const request = (password: string) => {
      const sample = event(path, { username, plan: 'trial', password }, key, caller);
      sample.pathParameters = { companyId: company.id };
      return sample;
    };

    const first = await send(createAccountHandler, request('Horse-Battery-Staple-41'));
    const other = await send(createAccountHandler, request('Horse-Battery-Staple-42'));
    const same = await send(createAccountHandler, request('Horse-Battery-Staple-41'));

    expect(first.status).toBe(201);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(same).toEqual(first);
  });
});
