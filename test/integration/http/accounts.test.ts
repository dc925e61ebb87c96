/**
 * Companies and accounts through the gateway: what the routes answer and return. The rules behind
 * each refusal are tested once, in the unit and use-case tests; here each refusal is checked to
 * reach the wire with its status, code and fields, and to change nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createAccount,
  createCompany,
  getAccount,
  getCompany,
  postAccount,
  readAllPages,
} from '../../support/gateway.ts';
import {
  ACCOUNT_FIELDS,
  allKeys,
  COMPANY_FIELDS,
  errorPaths,
  expectProblem,
  GB,
  type HttpReply,
  uniqueName,
} from '../../support/http-fixtures.ts';
import { emailsTo, mailTo, newPartnerWithKey, type Partner } from './support.ts';

let partner: Partner;

beforeAll(async () => {
  partner = await newPartnerWithKey('Accounts IT');
});

/** A company with a pool whose admin (select) holds part of it. */
const pooledCompany = (quotaMb = 50 * GB, adminMb = 10 * GB) =>
  createCompany(partner.apiKey, { quotaMb, admin: { hardQuotaMb: adminMb } });

const accountPath = (companyId: string, accountId: string) =>
  `/v1/companies/${companyId}/accounts/${accountId}`;

describe('creating accounts', () => {
  it("creates a parent for another plan and a sub-account taking its parent's plan and contact", async () => {
    // Prepare
    const created = await pooledCompany();
    const companyId = created.company.id;

    // Act
    const parent = await createAccount(partner.apiKey, companyId, {
      plan: 'basic',
      hardQuotaMb: 10 * GB,
    });
    const sub = await createAccount(partner.apiKey, companyId, {
      username: `${uniqueName('Mixed.Case+')}@Example.com`,
      parentId: parent.account.id,
    });

    // Assess
    expect(parent.account).toMatchObject({ kind: 'parent', parentId: null, plan: 'basic' });
    expect(sub.account).toMatchObject({
      kind: 'sub',
      parentId: parent.account.id,
      plan: 'basic',
      hardQuotaMb: 5 * GB,
      contactId: created.contact.id,
      mustChangePassword: true,
    });
    expect(sub.account.username).toBe(sub.account.username.toLowerCase());
    expect(await getCompany(partner.apiKey, companyId)).toMatchObject({
      allocatedMb: 25 * GB,
      freeMb: 25 * GB,
      accountCount: 3,
    });
  });

  it('e-mails a generated password to a new contact, and never a password the creator chose', async () => {
    // Prepare
    const created = await pooledCompany();
    const companyId = created.company.id;
    const [username, chosenUsername] = [uniqueName('laptop.'), uniqueName('chosen.')];
    const [email, chosenEmail] = [`${username}@new.example`, `${chosenUsername}@chosen.example`];
    const chosenPassword = 'Violet-Harbour-9034';

    // Act
    const sub = await createAccount(partner.apiKey, companyId, {
      username,
      parentId: created.account.id,
      contact: { fullName: 'Nora Newcontact', email, phone: '+41 44 123 45 67' },
    });
    await createAccount(partner.apiKey, companyId, {
      username: chosenUsername,
      parentId: created.account.id,
      password: chosenPassword,
      contact: { fullName: 'Cho Sen', email: chosenEmail },
    });
    const mail = await mailTo(partner.partnerId, email);
    const chosenMail = await mailTo(partner.partnerId, chosenEmail);

    // Assess
    expect(sub.contact).toMatchObject({ fullName: 'Nora Newcontact', email });
    expect(sub.account.contactId).toBe(sub.contact.id);
    expect(mail.body.text).toContain(username);
    expect(mail.body.text).toMatch(/Temporary password:\s*\S+/);
    const toAdmin = (await emailsTo(created.email)).filter((m) => m.body.text.includes(username));
    expect(toAdmin).toEqual([]);
    expect(chosenMail.body.text).toContain(chosenUsername);
    expect(`${chosenMail.body.text}${chosenMail.body.html}`).not.toContain(chosenPassword);
    const contacts = await readAllPages(partner.apiKey, `/v1/companies/${companyId}/contacts`, 100);
    expect(contacts.items.map((contact) => contact.email).sort()).toEqual(
      [created.email, email, chosenEmail].sort(),
    );
  });
});

describe("a rule's refusal on the wire", () => {
  let created: Awaited<ReturnType<typeof pooledCompany>>;
  let safeId: string;
  let cancelledUsername: string;

  beforeAll(async () => {
    created = await pooledCompany(25 * GB, 10 * GB);
    const companyId = created.company.id;
    const [safe, cancelled] = await Promise.all([
      createAccount(partner.apiKey, companyId, { parentId: created.account.id, ultraSafe: true }),
      createAccount(partner.apiKey, companyId, { plan: 'trial' }),
    ]);
    safeId = safe.account.id;
    cancelledUsername = cancelled.account.username;
    const cancel = await call('DELETE', accountPath(companyId, cancelled.account.id), {
      token: partner.apiKey,
    });
    expect(cancel.status).toBe(200);
  });

  const post = (body: Record<string, unknown>) =>
    postAccount(partner.apiKey, created.company.id, { username: uniqueName('refused.'), ...body });

  const CASES: Array<{
    code: string;
    status: number;
    send: () => Promise<HttpReply>;
    /** The reply's own fields beyond the problem document's. */
    fields?: Record<string, unknown>;
    paths?: string[];
  }> = [
    { code: 'PLAN_ALREADY_HAS_PARENT', status: 409, send: () => post({ plan: 'select' }) },
    {
      code: 'VALIDATION_FAILED',
      status: 400,
      send: () => post({ plan: 'basic', parentId: created.account.id }),
    },
    {
      code: 'POOL_EXCEEDED',
      status: 409,
      send: () => post({ plan: 'basic', hardQuotaMb: 25 * GB }),
      fields: { freeMb: 10 * GB },
    },
    {
      code: 'QUOTA_NOT_ON_LADDER',
      status: 422,
      send: () => post({ plan: 'basic', hardQuotaMb: 7 * GB }),
      fields: { nearestMb: [5 * GB, 10 * GB] },
      paths: ['hardQuotaMb'],
    },
    {
      code: 'ULTRASAFE_NO_SECRET_QUESTION',
      status: 422,
      send: () =>
        post({
          parentId: created.account.id,
          ultraSafe: true,
          secretQuestion: 'Pet?',
          secretAnswer: 'Rex',
        }),
    },
    {
      code: 'USERNAME_TAKEN',
      status: 409,
      send: () => post({ username: cancelledUsername.toUpperCase(), parentId: created.account.id }),
    },
    {
      code: 'ULTRASAFE_IMMUTABLE',
      status: 409,
      send: () =>
        call('PATCH', accountPath(created.company.id, safeId), {
          token: partner.apiKey,
          body: { ultraSafe: false },
        }),
    },
    {
      code: 'POOL_BELOW_ALLOCATED',
      status: 409,
      send: () =>
        call('PATCH', `/v1/companies/${created.company.id}`, {
          token: partner.apiKey,
          body: { quotaMb: 10 * GB },
        }),
    },
  ];

  it.each(CASES)('$status $code', async ({ code, status, send, fields, paths }) => {
    // Prepare
    const before = await getCompany(partner.apiKey, created.company.id);

    // Act
    const reply = await send();

    // Assess
    expect(expectProblem(reply, status, code)).toMatchObject(fields ?? {});
    if (paths) expect(errorPaths(reply)).toEqual(paths);
    expect(await getCompany(partner.apiKey, created.company.id)).toEqual(before);
  });
});

describe('accounts and companies as returned', () => {
  it('returns every SPEC field and never a hash, answer or password, in the object and its list', async () => {
    // Prepare
    const created = await createCompany(partner.apiKey, {
      quotaMb: 25 * GB,
      admin: { hardQuotaMb: 10 * GB },
      extra: { licenses: { egr: 2, spV5: 3 }, endGuard: true },
    });
    const companyId = created.company.id;
    const password = 'Quartz-Lantern-4821';
    const secretAnswer = 'Aunt Philippa Gooseberry';
    const sub = await createAccount(partner.apiKey, companyId, {
      parentId: created.account.id,
      password,
      secretQuestion: 'Favourite aunt?',
      secretAnswer,
      userQuotaMb: 2048,
    });

    // Act
    const account = await getAccount(partner.apiKey, companyId, sub.account.id);
    const list = await call('GET', `/v1/companies/${companyId}/accounts`, {
      token: partner.apiKey,
    });
    const company = await getCompany(partner.apiKey, companyId);

    // Assess
    for (const field of ACCOUNT_FIELDS) expect(account).toHaveProperty(field);
    expect(account).toMatchObject({
      id: sub.account.id,
      hardQuotaMb: 5 * GB,
      userQuotaMb: 2048,
      effectiveQuotaMb: 2048,
      percentUsed: 0,
      hasSecretQuestion: true,
      features: { endGuard: true, egrLicenses: 2, spV5Licenses: 3 },
    });
    for (const field of COMPANY_FIELDS) expect(company).toHaveProperty(field);
    expect(company).toMatchObject({ allocatedMb: 15 * GB, licenses: { egr: 2, spV5: 3 } });
    for (const body of [account, sub, list.body]) {
      const keys = allKeys(body);
      expect(keys.filter((key) => /hash|answer|salt|^password$/i.test(key))).toEqual([]);
      const text = JSON.stringify(body);
      expect(text).not.toContain(password);
      expect(text.toLowerCase()).not.toContain(secretAnswer.toLowerCase());
    }
  });

  it('answers a resize and a cancel with the account itself, and a company cancel with the company', async () => {
    // Prepare
    const created = await pooledCompany(50 * GB, 10 * GB);
    const companyId = created.company.id;
    const sub = await createAccount(partner.apiKey, companyId, { parentId: created.account.id });
    const path = accountPath(companyId, sub.account.id);

    // Act
    const resized = await call('PATCH', path, {
      token: partner.apiKey,
      body: { hardQuotaMb: 10 * GB },
    });
    const cancelled = await call('DELETE', path, { token: partner.apiKey });
    const afterCancel = await getCompany(partner.apiKey, companyId);
    const companyCancelled = await call('DELETE', `/v1/companies/${companyId}`, {
      token: partner.apiKey,
    });
    const late = await postAccount(partner.apiKey, companyId, {
      username: uniqueName('late.'),
      plan: 'basic',
    });

    // Assess
    expect(resized.status, JSON.stringify(resized.body)).toBe(200);
    for (const field of ACCOUNT_FIELDS) expect(resized.body).toHaveProperty(field);
    expect(resized.body).toMatchObject({ id: sub.account.id, hardQuotaMb: 10 * GB });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: sub.account.id, status: 'cancelled' });
    expect(afterCancel).toMatchObject({ allocatedMb: 10 * GB, freeMb: 40 * GB, accountCount: 1 });
    expect(companyCancelled.status).toBe(200);
    expect(companyCancelled.body).toMatchObject({ id: companyId, status: 'cancelled' });
    expect(late.status).toBe(409);
  });
});

describe('Idempotency-Key on account creation', () => {
  it('keeps no record of a refusal, replays the first reply, and refuses the key with another body', async () => {
    // Prepare
    const created = await pooledCompany();
    const companyId = created.company.id;
    const key = uniqueName('idem-');
    const username = uniqueName('idem.');
    const send = (body: Record<string, unknown>) =>
      call('POST', `/v1/companies/${companyId}/accounts`, {
        token: partner.apiKey,
        body: { username, parentId: created.account.id, ...body },
        headers: { 'idempotency-key': key },
      });

    // Act
    const refused = await send({ hardQuotaMb: 7 * GB });
    const first = await send({ hardQuotaMb: 10 * GB });
    const repeat = await send({ hardQuotaMb: 10 * GB });
    const other = await send({ hardQuotaMb: 5 * GB });

    // Assess
    expectProblem(refused, 422, 'QUOTA_NOT_ON_LADDER');
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(repeat.status).toBe(201);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.headers.get('x-request-id')).toBeTruthy();
    expectProblem(other, 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await getCompany(partner.apiKey, companyId)).toMatchObject({
      accountCount: 2,
      allocatedMb: 20 * GB,
    });
  });
});
