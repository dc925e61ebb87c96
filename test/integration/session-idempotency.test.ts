/**
 * Idempotency-Key on the POSTs whose reply is a session (or whose body is a password): a repeat
 * gets the first reply, token included, though no token is ever stored; a repeat with another
 * body is refused. Through the real handlers, against DynamoDB Local.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { handler as changePasswordHandler } from '#functions/change-password.ts';
import { handler as impersonateHandler } from '#functions/impersonate.ts';
import { handler as loginHandler } from '#functions/login.ts';
import { handler as recoverHandler } from '#functions/recover.ts';
import { handler as resetPasswordHandler } from '#functions/reset-password.ts';
import type { Principal } from '#lib/auth/principal.ts';
import { principalForSession } from '#lib/auth/session-principal.ts';
import { documentClient, tableName } from '#lib/clients/dynamodb.ts';
import type { HttpEvent } from '#lib/http/handler.ts';
import { cancelAccount, createAccount } from '#lib/provisioning/accounts.ts';
import { cancelCompany, createCompany } from '#lib/provisioning/companies.ts';
import { listAudit } from '#lib/store/audit.ts';
import { readFailureWindow } from '#lib/store/limits.ts';
import {
  companyBody,
  idempotentPost,
  inCompany,
  newPartner,
  strongPassword,
  uniqueUsername,
} from '../support/builders.ts';
import { lambdaContext } from '../support/lambda-context.ts';
import { scanForValue } from './scan.ts';

type Handler = (event: HttpEvent, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

const event = (path: string, body: unknown, idempotencyKey: string, caller?: Principal) =>
  idempotentPost('http/login', { path, body, idempotencyKey, caller });

async function send(handler: Handler, request: HttpEvent) {
  const reply = (await handler(request, lambdaContext())) as APIGatewayProxyStructuredResultV2;
  return {
    status: reply.statusCode,
    body: reply.body ? JSON.parse(reply.body) : null,
  };
}

/** A partner with a company whose admin and one backup user have passwords of their own. */
async function setUp() {
  const { principal: partner, scope } = await newPartner('Replay IT');
  const body = companyBody();
  body.admin.password = strongPassword('Adm');
  body.admin.hardQuotaMb = 5120;
  const { company } = await createCompany(scope, body);
  const user = { username: uniqueUsername('replay'), password: strongPassword() };
  const { account } = await createAccount(inCompany(scope, company.id), {
    ...user,
    plan: 'basic',
    secretQuestion: 'Street?',
    secretAnswer: 'Elm',
  });
  return { partner, scope, companyId: company.id, user: { ...user, id: account.id } };
}

/** What an attacker would need: the signature part of a token. */
const signatureOf = (token: string) => token.slice(token.lastIndexOf('.') + 1);

describe('Idempotency-Key on a login', () => {
  it('answers a repeat with the first session, even once a second login would fail', async () => {
    // Prepare
    const { scope, companyId, user } = await setUp();
    const key = ulid();
    const request = () =>
      event('/v1/auth/login', { username: user.username, password: user.password }, key);
    const first = await send(loginHandler, request());
    await cancelAccount(inCompany(scope, companyId), user.id);

    // Act
    const repeat = await send(loginHandler, request());
    const fresh = await send(
      loginHandler,
      event('/v1/auth/login', JSON.parse(request().body as string), ulid()),
    );

    // Assess
    expect(first.status).toBe(200);
    expect(repeat).toEqual(first);
    expect(fresh.status).toBe(401);
    // The token answered again is the one first signed, and still ends with the account.
    expect(await principalForSession(repeat.body.token)).toEqual({ kind: 'anonymous' });
    expect(await scanForValue(signatureOf(first.body.token))).toEqual([]);
  });

  it('refuses the same key with another password, and never answers it with the session', async () => {
    // Prepare
    const { user } = await setUp();
    const key = ulid();
    await send(
      loginHandler,
      event('/v1/auth/login', { username: user.username, password: user.password }, key),
    );

    // Act
    const guess = await send(
      loginHandler,
      event('/v1/auth/login', { username: user.username, password: 'a guess at it' }, key),
    );

    const repeat = await send(
      loginHandler,
      event('/v1/auth/login', { username: user.username, password: user.password }, key),
    );

    // Assess
    expect(guess.status).toBe(422);
    expect(guess.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(guess.body.token).toBeUndefined();
    // The refused guess left the first login's record: its repeat still gets the first session.
    expect(repeat.status).toBe(200);
  });
});

describe('Idempotency-Key from callers with no identity', () => {
  it('keeps the key of one address apart from the same key sent from another', async () => {
    // Prepare: someone has learnt the key the user logged in with.
    const { user } = await setUp();
    const key = ulid();
    const fromUser = event(
      '/v1/auth/login',
      { username: user.username, password: user.password },
      key,
    );
    await send(loginHandler, fromUser);
    const guess = event(
      '/v1/auth/login',
      { username: user.username, password: 'a guess at it' },
      key,
    );
    guess.requestContext.http.sourceIp = '198.51.100.66';
    const rightFromElsewhere = event(
      '/v1/auth/login',
      { username: user.username, password: user.password },
      key,
    );
    rightFromElsewhere.requestContext.http.sourceIp = '198.51.100.66';

    // Act
    const guessed = await send(loginHandler, guess);
    const counted = await readFailureWindow('login', user.username, '198.51.100.66');
    const logged = await send(loginHandler, rightFromElsewhere);

    // Assess: the guess is checked (and counted) like any login, not compared with the first.
    expect(guessed.status).toBe(401);
    expect(guessed.body.code).toBe('INVALID_CREDENTIALS');
    expect(logged.status).toBe(200);
    expect(counted?.failures).toBe(1);
  });
});

describe('Idempotency-Key on a password change', () => {
  it('answers a repeat authorized before the change with the same new session, changing nothing', async () => {
    // A repeat sent after the change with the session it ended is refused by the authorizer
    // (401); this is one authorized while the first was still running, handled once it was done.
    // Prepare
    const { user } = await setUp();
    const opened = await send(
      loginHandler,
      event('/v1/auth/login', { username: user.username, password: user.password }, ulid()),
    );
    const caller = await principalForSession(opened.body.token);
    const newPassword = strongPassword('New');
    const key = ulid();
    const change = () =>
      event('/v1/auth/password', { currentPassword: user.password, newPassword }, key, caller);

    // Act
    const first = await send(changePasswordHandler, change());
    const repeat = await send(changePasswordHandler, change());
    const withNew = await send(
      loginHandler,
      event('/v1/auth/login', { username: user.username, password: newPassword }, ulid()),
    );

    // Assess: run again, the change would have failed on its now wrong current password.
    expect(first.status).toBe(200);
    expect(repeat).toEqual(first);
    expect(withNew.status).toBe(200);
    expect(await principalForSession(repeat.body.token)).toMatchObject({
      kind: 'backupUser',
      accountId: user.id,
    });
    expect(await scanForValue(signatureOf(first.body.token))).toEqual([]);
  });
});

describe('Idempotency-Key on a recovery', () => {
  it('answers the repeat with the first 204, even once a second recovery would fail', async () => {
    // Prepare
    const { scope, companyId, user } = await setUp();
    const key = ulid();
    const body = {
      username: user.username,
      secretAnswer: ' ELM ',
      newPassword: strongPassword('Rec'),
    };
    const first = await send(recoverHandler, event('/v1/auth/recover', body, key));
    await cancelAccount(inCompany(scope, companyId), user.id);

    // Act
    const repeat = await send(recoverHandler, event('/v1/auth/recover', body, key));
    const otherAnswer = await send(
      recoverHandler,
      event('/v1/auth/recover', { ...body, secretAnswer: 'Oak' }, key),
    );

    // Assess
    expect(first.status).toBe(204);
    expect(repeat).toEqual(first);
    expect(otherAnswer.status).toBe(422);
    expect(otherAnswer.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});

describe('Idempotency-Key on a login as company admin', () => {
  it('answers the repeat with the same session and audits it once', async () => {
    // Prepare
    const { partner, scope, companyId } = await setUp();
    const key = ulid();
    const path = `/v1/companies/${companyId}/impersonate`;
    const request = () => {
      const sample = event(path, undefined, key, partner);
      sample.pathParameters = { companyId };
      return sample;
    };
    const first = await send(impersonateHandler, request());
    await cancelCompany(inCompany(scope, companyId));

    // Act
    const repeat = await send(impersonateHandler, request());
    const audit = await listAudit(partner.partnerId, 100, undefined);

    // Assess
    expect(first.status).toBe(200);
    expect(repeat).toEqual(first);
    const impersonations = audit.items.filter((entry) => entry.action === 'company.impersonate');
    expect(impersonations).toHaveLength(1);
    expect(await scanForValue(signatureOf(first.body.token))).toEqual([]);
  });
});

describe('a stored session reply', () => {
  it('is not signed again once its claims were changed in the table', async () => {
    // Prepare: someone with write access to the table points a stored reply at another company.
    const { partner, companyId } = await setUp();
    const key = ulid();
    const request = () => {
      const sample = event(`/v1/companies/${companyId}/impersonate`, undefined, key, partner);
      sample.pathParameters = { companyId };
      return sample;
    };
    const first = await send(impersonateHandler, request());
    const unsigned = (first.body.token as string).slice(0, first.body.token.lastIndexOf('.'));
    const [header, payload] = unsigned.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, cid: ulid() })).toString('base64url')}`;
    const [record] = await scanForValue(unsigned);
    if (!record) throw new Error('The reply was not stored');
    await documentClient.send(
      new PutCommand({
        TableName: tableName(),
        Item: JSON.parse(JSON.stringify(record).replace(unsigned, forged)),
      }),
    );

    // Act
    const repeat = await send(impersonateHandler, request());

    // Assess
    expect(repeat.status).toBe(500);
    expect(repeat.body.token).toBeUndefined();
  });
});

describe('Idempotency-Key on a POST without a body', () => {
  it('answers the repeat of a password reset with the first reply, the body absent as on AWS', async () => {
    // Prepare
    const { partner, companyId, user } = await setUp();
    const key = ulid();
    const request = () => {
      const sample = event(
        `/v1/companies/${companyId}/accounts/${user.id}/password-reset`,
        undefined,
        key,
        partner,
      );
      sample.pathParameters = { companyId, accountId: user.id };
      return sample;
    };

    // Act
    const first = await send(resetPasswordHandler, request());
    const repeat = await send(resetPasswordHandler, request());

    // Assess
    expect(first.status).toBe(202);
    expect(repeat).toEqual(first);
  });
});
