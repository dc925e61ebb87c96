/**
 * No password, secret answer, session token or API key in any log line or stored item: the flows
 * below go through every route that receives or hands out one, with values chosen here (or read
 * from the replies and e-mails), and the whole table and the stack's captured output are then
 * searched for each of them.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { codeAt } from '#lib/auth/totp.ts';
import {
  expectProblem,
  GB,
  type HttpReply,
  strongPassword,
  temporaryPasswordIn,
  uniqueName,
} from '../support/http-fixtures.ts';
import {
  call,
  drainOutbox,
  enrolStaff,
  login,
  newPartner,
  newPartnerWithOwner,
  newStorageKey,
  type Partner,
  replyTexts,
  scanTable,
  session,
  stackLog,
  waitForEmail,
} from './helpers.ts';

/** Every secret the flows used or were given, by what it is. */
const secrets = new Map<string, string>();

/** Records a secret and returns it. */
function keep(label: string, value: unknown): string {
  expect(typeof value, label).toBe('string');
  const secret = value as string;
  // Short values could turn up by chance and make the search meaningless.
  expect(secret.length, label).toBeGreaterThanOrEqual(8);
  secrets.set(label, secret);
  return secret;
}

/** Records a session token, and its signature on its own: that part is what makes it valid. */
function keepSessionToken(label: string, token: unknown): string {
  const signature = /^eyJ[\w-]*\.eyJ[\w-]*\.([\w-]{20,})$/.exec(String(token))?.[1];
  expect(signature, `${label} is a JWT`).toBeTruthy();
  keep(`${label} (signature)`, signature);
  return keep(label, token);
}

/** Keeps the token of a session reply (login, password change) after checking the status. */
function keepToken(label: string, reply: HttpReply): string {
  expect(reply.status, `${label}: ${JSON.stringify(reply.body)}`).toBe(200);
  return keepSessionToken(label, reply.body.token);
}

/** A secret answer in the form a person types it, and the form it is compared in. */
function secretAnswer(label: string): string {
  const suffix = randomBytes(4).toString('hex');
  keep(`${label} (normalized)`, `blue harbour ${suffix}`);
  return keep(label, `  Blue  Harbour ${suffix}`);
}

const welcomeSubject = (username: string) => `Your backup account ${username} is ready`;

/** What the checks below need to know the flows really ran. */
const seen = {
  usernames: [] as string[],
  /** Accounts that were sent an e-mail: the mailer logs one line for each. */
  mailedAccountIds: [] as string[],
  /** Request ids of replies, which the stack's output names. */
  requestIds: [] as string[],
  /** Usernames that appear in the response of an idempotent request. */
  idempotentUsernames: [] as string[],
};

const requestIdOf = (reply: HttpReply) => {
  const requestId = reply.headers.get('x-request-id');
  expect(requestId).toBeTruthy();
  seen.requestIds.push(requestId as string);
};

let partner: Partner;

beforeAll(async () => {
  // The stack's own signing secret: never written anywhere but its environment.
  keep('session signing secret', inject('sessionSecret'));
  // Prepare (for both tests: they search what these flows left behind)
  const [created, storageKey] = await Promise.all([newPartner('Secrets IT'), newStorageKey()]);
  partner = created;
  keep('partner API key', partner.apiKey);
  keep('storage key', storageKey);

  const company = await companyWithSecrets();
  await adminChangesPassword(company);
  await wrongAndMalformedLogins(company);
  await backupUserWithGeneratedPassword(company);
  await recoveryWithSecretAnswer(company);
  await passwordResetByAdmin(company);
  await impersonation(company);
  await usageReport(storageKey, company);
  await companyWithGeneratedAdminPassword();
  await staffSignIn();

  // Every e-mail sent, so the send path (password generated, hashed and stored) has run and
  // logged for the accounts above before anything is searched.
  await drainOutbox();
}, 240_000);

interface CompanyWithSecrets {
  companyId: string;
  admin: { id: string; username: string; password: string; token?: string };
  sub: { id: string; username: string };
  basic: { id: string; username: string; email: string };
}

/**
 * A company created with Idempotency-Key, its admin given a password and a secret answer, and a
 * sub-account the same way: Powertools stores each request's record in the table.
 */
async function companyWithSecrets(): Promise<CompanyWithSecrets> {
  const adminName = uniqueName('secret.admin.');
  const email = `${adminName}@customer.example`;
  const companyKey = uniqueName('secrets-company-');
  const name = uniqueName('Secrets Co ');
  const adminAnswer = secretAnswer('admin secret answer');
  const companyBody = (password: string) => ({
    name,
    quotaMb: 25 * GB,
    contact: { fullName: 'Casey Customer', email },
    admin: {
      username: adminName,
      plan: 'select',
      hardQuotaMb: 10 * GB,
      password,
      secretQuestion: 'Where was the boat?',
      secretAnswer: adminAnswer,
    },
  });
  const adminPassword = keep('admin password at creation', strongPassword('Adm'));
  const first = await call('POST', '/v1/companies', {
    token: partner.apiKey,
    body: companyBody(adminPassword),
    headers: { 'idempotency-key': companyKey },
  });
  expect(first.status, JSON.stringify(first.body)).toBe(201);
  // A repeat that differs only in its password is another request (SPEC §3), refused without
  // storing that password anywhere; the same body again is answered from the stored record.
  const other = await call('POST', '/v1/companies', {
    token: partner.apiKey,
    body: companyBody(keep('admin password in a repeat', strongPassword('Rep'))),
    headers: { 'idempotency-key': companyKey },
  });
  expect(other.status, JSON.stringify(other.body)).toBe(422);
  expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  const repeat = await call('POST', '/v1/companies', {
    token: partner.apiKey,
    body: companyBody(adminPassword),
    headers: { 'idempotency-key': companyKey },
  });
  expect(repeat.status, JSON.stringify(repeat.body)).toBe(201);
  expect(repeat.body).toEqual(first.body);
  const companyId = first.body.company.id as string;
  const adminId = first.body.account.id as string;

  const subName = uniqueName('secret.sub.');
  const subKey = uniqueName('secrets-sub-');
  const subBody = {
    username: subName,
    parentId: adminId,
    password: keep('sub-account password at creation', strongPassword('Sub')),
    secretQuestion: 'Where was the boat?',
    secretAnswer: secretAnswer('sub-account secret answer'),
  };
  const sub = await call('POST', `/v1/companies/${companyId}/accounts`, {
    token: partner.apiKey,
    body: subBody,
    headers: { 'idempotency-key': subKey },
  });
  const subRepeat = await call('POST', `/v1/companies/${companyId}/accounts`, {
    token: partner.apiKey,
    body: subBody,
    headers: { 'idempotency-key': subKey },
  });
  expect(sub.status, JSON.stringify(sub.body)).toBe(201);
  expect(subRepeat.body).toEqual(sub.body);

  // No password given: the mailer generates one and e-mails it to the account's own contact.
  const basicName = uniqueName('secret.basic.');
  const basicEmail = `${basicName}@customer.example`;
  const basic = await call('POST', `/v1/companies/${companyId}/accounts`, {
    token: partner.apiKey,
    body: {
      username: basicName,
      plan: 'basic',
      contact: { fullName: 'Bea Basic', email: basicEmail },
    },
  });
  expect(basic.status, JSON.stringify(basic.body)).toBe(201);

  seen.usernames.push(adminName, subName, basicName);
  seen.idempotentUsernames.push(adminName, subName);
  seen.mailedAccountIds.push(adminId, sub.body.account.id, basic.body.account.id);
  return {
    companyId,
    admin: { id: adminId, username: adminName, password: adminPassword },
    sub: { id: sub.body.account.id, username: subName },
    basic: { id: basic.body.account.id, username: basicName, email: basicEmail },
  };
}

/** First login with the partner's password, a refused new password, then the change. */
async function adminChangesPassword(company: CompanyWithSecrets): Promise<void> {
  const { admin } = company;
  const first = await login(admin.username, admin.password);
  requestIdOf(first);
  const firstToken = keepToken('admin first-login token', first);
  // Refused by the policy (too long): a refused password must not be logged either.
  const tooLong = keep(
    'refused new password',
    `Long-${randomBytes(8).toString('hex')}-${'L'.repeat(130)}`,
  );
  const refused = await call('POST', '/v1/auth/password', {
    token: firstToken,
    body: { currentPassword: admin.password, newPassword: tooLong },
  });
  expectProblem(refused, 422, 'WEAK_PASSWORD');
  const newPassword = keep('admin new password', strongPassword('New'));
  // With an Idempotency-Key, the reply holding the new token goes into an idempotency record.
  const changed = await call('POST', '/v1/auth/password', {
    token: firstToken,
    body: { currentPassword: admin.password, newPassword },
    headers: { 'idempotency-key': uniqueName('secrets-change-') },
  });
  keepToken('admin token after password change', changed);
  expect(changed.body.mustChangePassword).toBe(false);
  admin.password = newPassword;
  const again = await login(admin.username, newPassword);
  requestIdOf(again);
  admin.token = keepToken('admin login token', again);
}

/** A wrong password, and a well-formed password in a body the schema refuses. */
async function wrongAndMalformedLogins(company: CompanyWithSecrets): Promise<void> {
  const wrong = await login(company.admin.username, keep('wrong password', strongPassword('Bad')));
  expectProblem(wrong, 401, 'INVALID_CREDENTIALS');
  requestIdOf(wrong);
  const malformed = await call('POST', '/v1/auth/login', {
    body: {
      username: company.admin.username,
      password: keep('password in a refused body', strongPassword('Mal')),
      remember: true,
    },
  });
  expectProblem(malformed, 400, 'VALIDATION_FAILED');
}

/** The welcome e-mail's generated password, its first login and its replacement. */
async function backupUserWithGeneratedPassword(company: CompanyWithSecrets): Promise<void> {
  const { basic } = company;
  const mail = await waitForEmail(basic.email, { subject: welcomeSubject(basic.username) });
  const temporary = keep('generated welcome password (account)', temporaryPasswordIn(mail));
  const first = await session(basic.username, temporary);
  keepSessionToken('backup user first-login token', first.token);
  const changed = await call('POST', '/v1/auth/password', {
    token: first.token,
    body: {
      currentPassword: temporary,
      newPassword: keep('backup user new password', strongPassword('Usr')),
    },
  });
  keepToken('backup user token after password change', changed);
}

/** A wrong secret answer, then the right one in another spelling with a new password. */
async function recoveryWithSecretAnswer(company: CompanyWithSecrets): Promise<void> {
  const { sub } = company;
  const wrong = await call('POST', '/v1/auth/recover', {
    body: {
      username: sub.username,
      secretAnswer: keep('wrong secret answer', `Red Lighthouse ${randomBytes(4).toString('hex')}`),
      newPassword: keep('new password with a wrong answer', strongPassword('Wro')),
    },
  });
  expectProblem(wrong, 401, 'INVALID_SECRET_ANSWER');
  const answer = secrets.get('sub-account secret answer (normalized)') as string;
  const recovered = keep('recovered password', strongPassword('Rec'));
  const right = await call('POST', '/v1/auth/recover', {
    body: {
      username: sub.username,
      secretAnswer: keep('secret answer as typed at recovery', ` ${answer.toUpperCase()}  `),
      newPassword: recovered,
    },
  });
  expect(right.status, JSON.stringify(right.body)).toBe(204);
  requestIdOf(right);
  keepToken('recovered login token', await login(sub.username, recovered));
}

/** The company admin resets the backup user's password; the reset e-mail carries a new one. */
async function passwordResetByAdmin(company: CompanyWithSecrets): Promise<void> {
  const { basic } = company;
  const reset = await call(
    'POST',
    `/v1/companies/${company.companyId}/accounts/${basic.id}/password-reset`,
    { token: company.admin.token, headers: { 'idempotency-key': uniqueName('secrets-reset-') } },
  );
  expect(reset.status, JSON.stringify(reset.body)).toBe(202);
  requestIdOf(reset);
  const mail = await waitForEmail(basic.email, {
    subject: `New temporary password for ${basic.username}`,
  });
  const temporary = keep('password from the reset e-mail', temporaryPasswordIn(mail));
  keepToken('token from the reset password', await login(basic.username, temporary));
  seen.mailedAccountIds.push(basic.id);
}

/** "Login as company admin": the partner is handed a session token. */
async function impersonation(company: CompanyWithSecrets): Promise<void> {
  const started = await call('POST', `/v1/companies/${company.companyId}/impersonate`, {
    token: partner.apiKey,
    headers: { 'idempotency-key': uniqueName('secrets-impersonate-') },
  });
  const token = keepToken('impersonation token', started);
  const used = await call('GET', `/v1/companies/${company.companyId}`, { token });
  expect(used.status, JSON.stringify(used.body)).toBe(200);
}

/** The storage service's key, on an idempotent POST. */
async function usageReport(storageKey: string, company: CompanyWithSecrets): Promise<void> {
  const reply = await call('POST', '/v1/usage-reports', {
    token: storageKey,
    body: { reports: [{ accountId: company.sub.id, usedMb: 100 }] },
    headers: { 'idempotency-key': uniqueName('secrets-usage-') },
  });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  requestIdOf(reply);
}

/** A company whose admin is given no password: the welcome e-mail's generated one, replaced. */
async function companyWithGeneratedAdminPassword(): Promise<void> {
  const username = uniqueName('secret.welcome.');
  const email = `${username}@customer.example`;
  const created = await call('POST', '/v1/companies', {
    token: partner.apiKey,
    body: {
      name: uniqueName('Welcome Co '),
      contact: { fullName: 'Wes Welcome', email },
      admin: { username, plan: 'select' },
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const mail = await waitForEmail(email, { subject: welcomeSubject(username) });
  const temporary = keep('generated welcome password (company admin)', temporaryPasswordIn(mail));
  const first = await session(username, temporary);
  keepSessionToken('welcomed admin first-login token', first.token);
  const changed = await call('POST', '/v1/auth/password', {
    token: first.token,
    body: {
      currentPassword: temporary,
      newPassword: keep('welcomed admin new password', strongPassword('Wel')),
    },
  });
  keepToken('welcomed admin token after password change', changed);
  seen.usernames.push(username);
  seen.mailedAccountIds.push(created.body.account.id);
}

/** Secrets a reply hands out once (SPEC §7), and never again in any later reply. */
const shownOnce = new Set<string>();

/**
 * A partner's owner from the operator's command through the invitation e-mail, the password
 * change and TOTP enrolment (the secret and the ten recovery codes are in their replies only),
 * a wrong code, a login with a code and one with a recovery code, and the API keys it makes:
 * every staff secret SPEC §7 names.
 */
async function staffSignIn(): Promise<void> {
  const otherCode = (code: string) => `${code.startsWith('a') ? 'b' : 'a'}${code.slice(1)}`;
  const email = `${uniqueName('secret.owner.')}@partner.example`;
  const withOwner = await newPartnerWithOwner(uniqueName('Secrets Staff IT '), email);
  keep('API key of the partner made with an owner', withOwner.apiKey);
  const owner = await enrolStaff(email);
  const once = (label: string, value: unknown) => shownOnce.add(keep(label, value));
  keep('staff temporary password', owner.temporaryPassword);
  keep('staff password', owner.password);
  once('TOTP secret', owner.secret);
  owner.tokens.forEach((token, index) => {
    keepSessionToken(`staff session token ${index + 1}`, token);
  });
  owner.recoveryCodes.forEach((code, index) => {
    once(`recovery code ${index + 1}`, code);
    keep(`recovery code ${index + 1} (normalised)`, code.replaceAll('-', ''));
  });
  const staffLogin = (totp: string) =>
    call('POST', '/v1/auth/staff/login', {
      body: { email, password: owner.password, totp },
      // Idempotent: the stored reply is searched too.
      headers: { 'idempotency-key': uniqueName('sl-') },
    });
  const wrong = await staffLogin(otherCode(owner.recoveryCodes[0] as string));
  expectProblem(wrong, 401, 'INVALID_MFA_CODE');
  requestIdOf(wrong);
  keepToken('staff token from a code', await staffLogin(codeAt(owner.secret, Date.now() + 30_000)));
  const token = keepToken(
    'staff token from a recovery code',
    await staffLogin(owner.recoveryCodes[1] as string),
  );
  for (const scope of ['full', 'read']) {
    const made = await call('POST', '/v1/api-keys', {
      token,
      body: { name: `Secrets ${scope} key`, scope },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    once(`API key of scope ${scope} made by staff`, made.body.key);
    requestIdOf(made);
  }
  // Reads that show the member and the keys again, without their secrets.
  for (const path of ['/v1/staff', '/v1/api-keys']) {
    const listed = await call('GET', path, { token });
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(listed.body.items.length).toBeGreaterThan(0);
  }
}

/**
 * Where each secret was found, as `<label> in <place>`; empty when none was. `whole`, searched
 * only for a secret no place holds, is the text the places were cut from.
 */
function findSecrets(places: Array<{ place: string; text: string }>, whole?: string): string[] {
  const found: string[] = [];
  for (const [label, secret] of secrets) {
    const where = places.filter(({ text }) => text.includes(secret)).map(({ place }) => place);
    if (where.length === 0 && whole?.includes(secret)) where.push('the log, across a line break');
    found.push(...where.map((place) => `${label} in ${place}`));
  }
  return found;
}

/** The mailer's "E-mail sent" line for an account. */
const sentLine = (line: string, accountId: string) => {
  if (!line.startsWith('{')) return false;
  try {
    const entry = JSON.parse(line);
    return entry.message === 'E-mail sent' && entry.accountId === accountId;
  } catch {
    return false;
  }
};

/**
 * The stack's output once the mailer's line for every e-mail above is in it: the output reaches
 * the file a moment after the mailer records the send.
 */
async function stackLogOnceSent(): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const text = stackLog();
    const lines = text.split('\n');
    const missing = seen.mailedAccountIds.filter((id) => !lines.some((l) => sentLine(l, id)));
    if (missing.length === 0 || Date.now() > deadline) return text;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('secrets after the flows', () => {
  it('shown once are in no later reply', () => {
    expect(shownOnce.size).toBe(13);
    const repeated = [...shownOnce].flatMap((secret) => {
      const label = [...secrets].find(([, value]) => value === secret)?.[0];
      const count = replyTexts.filter((text) => text.includes(secret)).length;
      return count === 1 ? [] : [`${label} in ${count} replies`];
    });
    expect(repeated).toEqual([]);
  });

  it('are in no stored item', async () => {
    // Act
    const items = await scanTable();

    // Assess
    const all = JSON.stringify(items);
    // Not vacuous: the flows' accounts, their hashes and their idempotency records are there.
    for (const username of seen.usernames) expect(all).toContain(`"${username}"`);
    const accounts = items.filter(
      (item) => item.entity === 'ACCOUNT' && seen.usernames.includes(item.username as string),
    );
    expect(accounts).toHaveLength(seen.usernames.length);
    for (const account of accounts) expect(account.passwordHash).toMatch(/^scrypt\$/);
    const idempotency = items.filter((item) => item.PK === 'IDEMPOTENCY');
    for (const username of seen.idempotentUsernames) {
      expect(idempotency.some((item) => JSON.stringify(item).includes(username))).toBe(true);
    }
    expect(secrets.size).toBeGreaterThan(20);
    const places = items.map((item) => ({
      place: `item ${item.PK} / ${item.SK} (${item.entity ?? 'no entity'})`,
      text: JSON.stringify(item),
    }));
    expect(findSecrets(places)).toEqual([]);
  });

  it('are in no log line', async () => {
    // Act
    const text = await stackLogOnceSent();

    // Assess
    const lines = text.split('\n');
    // Not vacuous: the Lambdas' own JSON lines and serverless-offline's request lines are there.
    for (const accountId of seen.mailedAccountIds) {
      expect(
        lines.some((line) => sentLine(line, accountId)),
        `"E-mail sent" logged for ${accountId}`,
      ).toBe(true);
    }
    for (const requestId of seen.requestIds) expect(text).toContain(requestId);
    const places = lines.map((line, index) => ({
      place: `log line ${index + 1}: ${line.slice(0, 400)}`,
      text: line,
    }));
    // The stack's output is split into lines chunk by chunk as it arrives, so a secret could be
    // cut in two across lines: the output is searched once more as one piece.
    expect(findSecrets(places, text.replaceAll('\n', ''))).toEqual([]);
  });
});
