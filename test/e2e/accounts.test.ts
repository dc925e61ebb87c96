import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT_FIELDS,
  allKeys,
  COMPANY_FIELDS,
  createAccount,
  createCompany,
  drainOutbox,
  errorPaths,
  expectProblem,
  GB,
  getAccount,
  getCompany,
  newPartner,
  newPartners,
  type Partner,
  postAccount,
  readAllPages,
} from './fixtures.ts';
import { call, inbox, uniqueName, waitForEmail } from './helpers.ts';

let partner: Partner;
let finePartner: Partner;

beforeAll(async () => {
  const [partners, fine] = await Promise.all([
    newPartners('Accounts IT'),
    newPartner('Fine Steps IT', true),
  ]);
  [partner] = partners as [Partner];
  finePartner = fine;
});

afterAll(() => drainOutbox(), 120_000);

const DAY_MS = 86_400_000;

/** A company with a 50 GB pool whose admin (select) holds 10 GB. */
const pooledCompany = (quotaMb = 50 * GB, adminMb = 10 * GB) =>
  createCompany(partner.apiKey, { quotaMb, admin: { hardQuotaMb: adminMb } });

const accountPath = (companyId: string, accountId: string) =>
  `/v1/companies/${companyId}/accounts/${accountId}`;

describe('welcome e-mails', () => {
  it('e-mails a generated password to a new contact, and never a password the creator chose', async () => {
    // Prepare
    const created = await pooledCompany();
    const companyId = created.company.id;
    const username = uniqueName('laptop.');
    const email = `${username}@newcontact.example`;
    const chosenUsername = uniqueName('chosen.');
    const chosenEmail = `${chosenUsername}@chosen.example`;
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

    // Assess
    expect(sub.contact).toMatchObject({ fullName: 'Nora Newcontact', email });
    expect(sub.contact.id).not.toBe(created.contact.id);
    expect(sub.account.contactId).toBe(sub.contact.id);
    const [mail, chosenMail] = await Promise.all([
      waitForEmail(email, { timeoutMs: 45_000 }),
      waitForEmail(chosenEmail, { timeoutMs: 45_000 }),
    ]);
    expect(mail.body.text).toContain(username);
    const password = /Temporary password:\s*(\S+)/i.exec(mail.body.text)?.[1];
    expect(password, mail.body.text).toBeTruthy();
    expect(mail.subject).not.toContain(password as string);
    const toAdmin = (await inbox()).filter(
      (m) => m.destination.to.includes(created.email) && m.body.text.includes(username),
    );
    expect(toAdmin).toEqual([]);
    expect(chosenMail.body.text).toContain(chosenUsername);
    expect(chosenMail.body.text).not.toContain(chosenPassword);
    expect(chosenMail.body.html).not.toContain(chosenPassword);
    const contacts = await readAllPages(partner.apiKey, `/v1/companies/${companyId}/contacts`, 100);
    expect(contacts.items.map((contact) => contact.email).sort()).toEqual(
      [created.email, email, chosenEmail].sort(),
    );
  });
});

describe('parent accounts and sub-accounts', () => {
  it("creates a parent for another plan and a sub-account that takes its parent's plan", async () => {
    // Prepare
    const created = await pooledCompany();
    const companyId = created.company.id;

    // Act
    const parent = await createAccount(partner.apiKey, companyId, {
      plan: 'basic',
      hardQuotaMb: 10 * GB,
    });
    const sub = await createAccount(partner.apiKey, companyId, {
      parentId: parent.account.id,
    });

    // Assess
    expect(parent.account).toMatchObject({
      kind: 'parent',
      parentId: null,
      plan: 'basic',
      hardQuotaMb: 10 * GB,
      status: 'active',
    });
    expect(sub.account).toMatchObject({
      kind: 'sub',
      parentId: parent.account.id,
      plan: 'basic',
      companyId,
      hardQuotaMb: 5 * GB,
      mustChangePassword: true,
    });
    expect(sub.account.features).toMatchObject({
      openFileBackupOnServers: false,
      versioning: false,
    });
    expect(sub.account.contactId).toBe(created.contact.id);
    expect(sub.contact.id).toBe(created.contact.id);
    const company = await getCompany(partner.apiKey, companyId);
    expect(company).toMatchObject({ allocatedMb: 25 * GB, freeMb: 25 * GB, accountCount: 3 });
    const fetched = await getAccount(partner.apiKey, companyId, sub.account.id);
    expect(fetched).toMatchObject({ kind: 'sub', plan: 'basic', parentId: parent.account.id });
  });

  it('refuses a second parent for the same plan with 409 PLAN_ALREADY_HAS_PARENT', async () => {
    // Prepare
    const created = await pooledCompany();
    const companyId = created.company.id;
    const username = uniqueName('second.select.');

    // Act
    const reply = await postAccount(partner.apiKey, companyId, { username, plan: 'select' });

    // Assess
    expectProblem(reply, 409, 'PLAN_ALREADY_HAS_PARENT');
    expect(await getCompany(partner.apiKey, companyId)).toMatchObject({
      allocatedMb: 10 * GB,
      accountCount: 1,
    });
    const asSub = await postAccount(partner.apiKey, companyId, {
      username,
      parentId: created.account.id,
    });
    expect(asSub.status, 'the username was not taken by the refused request').toBe(201);
    expect(asSub.body.account.plan).toBe('select');
  });

  it('refuses plan and parentId together, and neither', async () => {
    // Prepare
    const created = await pooledCompany();
    const companyId = created.company.id;

    // Act
    const both = await postAccount(partner.apiKey, companyId, {
      username: uniqueName('both.'),
      plan: 'basic',
      parentId: created.account.id,
    });
    const neither = await postAccount(partner.apiKey, companyId, {
      username: uniqueName('neither.'),
    });

    // Assess
    expectProblem(both, 400, 'VALIDATION_FAILED');
    expectProblem(neither, 400, 'VALIDATION_FAILED');
    expect((await getCompany(partner.apiKey, companyId)).accountCount).toBe(1);
  });

  it('refuses a sub-account of a sub-account', async () => {
    // Prepare
    const created = await pooledCompany();
    const companyId = created.company.id;
    const sub = await createAccount(partner.apiKey, companyId, { parentId: created.account.id });

    // Act
    const reply = await postAccount(partner.apiKey, companyId, {
      username: uniqueName('subsub.'),
      parentId: sub.account.id,
    });

    // Assess
    expect(reply.status).toBe(422);
    expect(errorPaths(reply)).toEqual(['parentId']);
    expect((await getCompany(partner.apiKey, companyId)).accountCount).toBe(2);
  });

  it('keeps trials outside the pool with 512 MB for 30 days; subs share the trial', async () => {
    // Prepare
    const created = await pooledCompany();
    const companyId = created.company.id;

    // Act
    const trial = await createAccount(partner.apiKey, companyId, { plan: 'trial' });
    const sub = await createAccount(partner.apiKey, companyId, { parentId: trial.account.id });

    // Assess
    expect(trial.account).toMatchObject({ plan: 'trial', hardQuotaMb: 512, status: 'active' });
    const length = Date.parse(trial.account.trialEndsAt) - Date.parse(trial.account.createdAt);
    expect(length).toBe(30 * DAY_MS);
    expect(sub.account).toMatchObject({
      plan: 'trial',
      kind: 'sub',
      trialEndsAt: trial.account.trialEndsAt,
    });
    expect(await getCompany(partner.apiKey, companyId)).toMatchObject({
      allocatedMb: 10 * GB,
      accountCount: 3,
    });
  });

  it('gives accounts of a company without a pool unlimited storage', async () => {
    // Prepare
    const created = await createCompany(partner.apiKey, { admin: { plan: 'basic' } });

    // Act
    const sub = await createAccount(partner.apiKey, created.company.id, {
      parentId: created.account.id,
    });

    // Assess
    expect(created.company).toMatchObject({ quotaMb: null, allocatedMb: 0 });
    expect(created.account).toMatchObject({ hardQuotaMb: null, effectiveQuotaMb: null });
    expect(sub.account).toMatchObject({
      plan: 'basic',
      hardQuotaMb: null,
      effectiveQuotaMb: null,
      percentUsed: null,
    });
  });
});

describe('the storage pool', () => {
  it('refuses an account the pool cannot hold with 409 POOL_EXCEEDED naming freeMb', async () => {
    // Prepare
    const created = await pooledCompany(25 * GB, 10 * GB);
    const companyId = created.company.id;
    await createAccount(partner.apiKey, companyId, { parentId: created.account.id });
    const username = uniqueName('toobig.');

    // Act
    const reply = await postAccount(partner.apiKey, companyId, {
      username,
      plan: 'basic',
      hardQuotaMb: 25 * GB,
    });

    // Assess
    const problem = expectProblem(reply, 409, 'POOL_EXCEEDED');
    expect(problem.freeMb).toBe(10 * GB);
    expect(await getCompany(partner.apiKey, companyId)).toMatchObject({
      allocatedMb: 15 * GB,
      freeMb: 10 * GB,
      accountCount: 2,
    });
    const fits = await postAccount(partner.apiKey, companyId, {
      username,
      plan: 'basic',
      hardQuotaMb: 10 * GB,
    });
    expect(fits.status, JSON.stringify(fits.body)).toBe(201);
    const full = await postAccount(partner.apiKey, companyId, {
      username: uniqueName('nospace.'),
      parentId: created.account.id,
    });
    expect(expectProblem(full, 409, 'POOL_EXCEEDED').freeMb).toBe(0);
  });

  it('gives the admin the whole pool by default, so a first sub-account does not fit', async () => {
    // Prepare
    const created = await createCompany(partner.apiKey, { quotaMb: 10 * GB });

    // Act
    const reply = await postAccount(partner.apiKey, created.company.id, {
      username: uniqueName('nofit.'),
      parentId: created.account.id,
    });

    // Assess
    expect(created.account.hardQuotaMb).toBe(10 * GB);
    expect(created.company).toMatchObject({ allocatedMb: 10 * GB, freeMb: 0 });
    expect(expectProblem(reply, 409, 'POOL_EXCEEDED').freeMb).toBe(0);
  });

  it('refuses off-ladder sizes with 422 QUOTA_NOT_ON_LADDER and the nearest sizes', async () => {
    // Prepare
    const created = await pooledCompany(500 * GB, 10 * GB);
    const companyId = created.company.id;

    // Act
    const small = await postAccount(partner.apiKey, companyId, {
      username: uniqueName('seven.'),
      plan: 'basic',
      hardQuotaMb: 7 * GB,
    });
    const large = await postAccount(partner.apiKey, companyId, {
      username: uniqueName('onetwenty.'),
      plan: 'basic',
      hardQuotaMb: 120 * GB,
    });
    const notWholeGb = await postAccount(partner.apiKey, companyId, {
      username: uniqueName('odd.'),
      plan: 'basic',
      hardQuotaMb: 10_000,
    });

    // Assess
    const smallProblem = expectProblem(small, 422, 'QUOTA_NOT_ON_LADDER');
    expect(smallProblem.nearestMb).toEqual([5 * GB, 10 * GB]);
    expect(errorPaths(small)).toEqual(['hardQuotaMb']);
    expect(expectProblem(large, 422, 'QUOTA_NOT_ON_LADDER').nearestMb).toEqual([
      100 * GB,
      200 * GB,
    ]);
    expect(expectProblem(notWholeGb, 422, 'QUOTA_NOT_ON_LADDER').nearestMb).toEqual([
      5 * GB,
      10 * GB,
    ]);
    expect(await getCompany(partner.apiKey, companyId)).toMatchObject({
      allocatedMb: 10 * GB,
      accountCount: 1,
    });
  });

  it('refuses an off-ladder pool when creating a company', async () => {
    // Prepare
    const username = uniqueName('pool.');

    // Act
    const reply = await call('POST', '/v1/companies', {
      token: partner.apiKey,
      body: {
        name: 'Odd Pool Ltd',
        quotaMb: 7 * GB,
        contact: { fullName: 'Odd Pool', email: `${username}@pool.example` },
        admin: { username, plan: 'select' },
      },
    });

    // Assess
    expectProblem(reply, 422, 'QUOTA_NOT_ON_LADDER');
    expect(reply.body.nearestMb).toEqual([5 * GB, 10 * GB]);
    expect(errorPaths(reply)).toEqual(['quotaMb']);
  });

  it('allows 50 GB steps above 100 GB only to a partner with fineIncrements', async () => {
    // Prepare
    const fine = await createCompany(finePartner.apiKey, {
      quotaMb: 500 * GB,
      admin: { hardQuotaMb: 100 * GB },
    });
    const plain = await pooledCompany(500 * GB, 10 * GB);

    // Act
    const fineReply = await postAccount(finePartner.apiKey, fine.company.id, {
      username: uniqueName('fine.'),
      plan: 'basic',
      hardQuotaMb: 150 * GB,
    });
    const fineAdmin = await call('PATCH', accountPath(fine.company.id, fine.account.id), {
      token: finePartner.apiKey,
      body: { hardQuotaMb: 250 * GB },
    });
    const plainReply = await postAccount(partner.apiKey, plain.company.id, {
      username: uniqueName('plain.'),
      plan: 'basic',
      hardQuotaMb: 150 * GB,
    });

    // Assess
    expect(fineReply.status, JSON.stringify(fineReply.body)).toBe(201);
    expect(fineReply.body.account.hardQuotaMb).toBe(150 * GB);
    expect(fineAdmin.status, JSON.stringify(fineAdmin.body)).toBe(200);
    expect(fineAdmin.body.hardQuotaMb).toBe(250 * GB);
    expect(expectProblem(plainReply, 422, 'QUOTA_NOT_ON_LADDER').nearestMb).toEqual([
      100 * GB,
      200 * GB,
    ]);
  });

  it('refuses to shrink a pool below what is allocated', async () => {
    // Prepare
    const created = await pooledCompany(50 * GB, 25 * GB);

    // Act
    const shrink = await call('PATCH', `/v1/companies/${created.company.id}`, {
      token: partner.apiKey,
      body: { quotaMb: 10 * GB },
    });
    const grow = await call('PATCH', `/v1/companies/${created.company.id}`, {
      token: partner.apiKey,
      body: { quotaMb: 100 * GB },
    });

    // Assess
    expectProblem(shrink, 409, 'POOL_BELOW_ALLOCATED');
    expect(grow.status).toBe(200);
    expect(grow.body).toMatchObject({
      id: created.company.id,
      quotaMb: 100 * GB,
      allocatedMb: 25 * GB,
      freeMb: 75 * GB,
    });
  });
});

describe('resizing and cancelling', () => {
  it('resizes an account within the pool and returns the account itself', async () => {
    // Prepare
    const created = await pooledCompany(25 * GB, 10 * GB);
    const companyId = created.company.id;
    const sub = await createAccount(partner.apiKey, companyId, { parentId: created.account.id });
    const path = accountPath(companyId, sub.account.id);

    // Act
    const grow = await call('PATCH', path, {
      token: partner.apiKey,
      body: { hardQuotaMb: 10 * GB },
    });
    const tooBig = await call('PATCH', path, {
      token: partner.apiKey,
      body: { hardQuotaMb: 25 * GB },
    });
    const offLadder = await call('PATCH', path, {
      token: partner.apiKey,
      body: { hardQuotaMb: 8 * GB },
    });

    // Assess
    expect(grow.status, JSON.stringify(grow.body)).toBe(200);
    expect(grow.headers.get('content-type')).toMatch(/^application\/json/);
    expect(grow.body).toMatchObject({
      id: sub.account.id,
      username: sub.account.username,
      hardQuotaMb: 10 * GB,
      effectiveQuotaMb: 10 * GB,
    });
    for (const field of ACCOUNT_FIELDS) expect(grow.body).toHaveProperty(field);
    expect(expectProblem(tooBig, 409, 'POOL_EXCEEDED').freeMb).toBe(5 * GB);
    expect(expectProblem(offLadder, 422, 'QUOTA_NOT_ON_LADDER').nearestMb).toEqual([
      5 * GB,
      10 * GB,
    ]);
    expect(await getCompany(partner.apiKey, companyId)).toMatchObject({
      allocatedMb: 20 * GB,
      freeMb: 5 * GB,
    });
    expect((await getAccount(partner.apiKey, companyId, sub.account.id)).hardQuotaMb).toBe(10 * GB);
  });

  it('cancels an account: 200 with the cancelled account, storage back in the pool', async () => {
    // Prepare
    const created = await pooledCompany(50 * GB, 10 * GB);
    const companyId = created.company.id;
    const sub = await createAccount(partner.apiKey, companyId, {
      parentId: created.account.id,
      hardQuotaMb: 10 * GB,
    });
    const before = await getCompany(partner.apiKey, companyId);

    // Act
    const reply = await call('DELETE', accountPath(companyId, sub.account.id), {
      token: partner.apiKey,
    });

    // Assess
    expect(before).toMatchObject({ allocatedMb: 20 * GB, accountCount: 2 });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body).toMatchObject({
      id: sub.account.id,
      username: sub.account.username,
      status: 'cancelled',
    });
    const after = await getCompany(partner.apiKey, companyId);
    expect(after).toMatchObject({ allocatedMb: 10 * GB, freeMb: 40 * GB, accountCount: 1 });
    const fetched = await getAccount(partner.apiKey, companyId, sub.account.id);
    expect(fetched.status).toBe('cancelled');
    const resize = await call('PATCH', accountPath(companyId, sub.account.id), {
      token: partner.apiKey,
      body: { hardQuotaMb: 5 * GB },
    });
    expect(resize.status).toBe(409);
    expect(await getCompany(partner.apiKey, companyId)).toMatchObject({ allocatedMb: 10 * GB });
  });

  it('keeps a cancelled username reserved, whatever its case and wherever it is reused', async () => {
    // Prepare
    const created = await pooledCompany(50 * GB, 10 * GB);
    const companyId = created.company.id;
    const username = uniqueName('reserved.');
    const sub = await createAccount(partner.apiKey, companyId, {
      username,
      parentId: created.account.id,
    });
    const cancelled = await call('DELETE', accountPath(companyId, sub.account.id), {
      token: partner.apiKey,
    });
    const elsewhere = await createCompany(finePartner.apiKey);

    // Act
    const sameCompany = await postAccount(partner.apiKey, companyId, {
      username,
      parentId: created.account.id,
    });
    const upperCase = await postAccount(partner.apiKey, companyId, {
      username: username.toUpperCase(),
      parentId: created.account.id,
    });
    const otherPartner = await postAccount(finePartner.apiKey, elsewhere.company.id, {
      username,
      parentId: elsewhere.account.id,
    });

    // Assess
    expect(cancelled.status).toBe(200);
    expectProblem(sameCompany, 409, 'USERNAME_TAKEN');
    expectProblem(upperCase, 409, 'USERNAME_TAKEN');
    expectProblem(otherPartner, 409, 'USERNAME_TAKEN');
    expect(await getCompany(partner.apiKey, companyId)).toMatchObject({
      allocatedMb: 10 * GB,
      accountCount: 1,
    });
  });

  it('stores usernames lower-case and accepts an e-mail address as username', async () => {
    // Prepare
    const created = await pooledCompany();
    const username = `${uniqueName('mixed.case+')}@example.com`;

    // Act
    const sub = await createAccount(partner.apiKey, created.company.id, {
      username: username.toUpperCase(),
      parentId: created.account.id,
    });

    // Assess
    expect(sub.account.username).toBe(username);
    const fetched = await getAccount(partner.apiKey, created.company.id, sub.account.id);
    expect(fetched.username).toBe(username);
  });

  it('cancels the sub-accounts of a cancelled parent with it', async () => {
    // Prepare
    const created = await pooledCompany(50 * GB, 10 * GB);
    const companyId = created.company.id;
    const parent = await createAccount(partner.apiKey, companyId, {
      plan: 'basic',
      hardQuotaMb: 10 * GB,
    });
    const sub = await createAccount(partner.apiKey, companyId, { parentId: parent.account.id });

    // Act
    const reply = await call('DELETE', accountPath(companyId, parent.account.id), {
      token: partner.apiKey,
    });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe('cancelled');
    expect((await getAccount(partner.apiKey, companyId, sub.account.id)).status).toBe('cancelled');
    expect(await getCompany(partner.apiKey, companyId)).toMatchObject({
      allocatedMb: 10 * GB,
      accountCount: 1,
    });
    const underCancelled = await postAccount(partner.apiKey, companyId, {
      username: uniqueName('orphan.'),
      parentId: parent.account.id,
    });
    expect(underCancelled.status).toBe(409);
  });

  it('cancels a company with all its accounts', async () => {
    // Prepare
    const created = await pooledCompany(50 * GB, 10 * GB);
    const companyId = created.company.id;
    const sub = await createAccount(partner.apiKey, companyId, { parentId: created.account.id });

    // Act
    const reply = await call('DELETE', `/v1/companies/${companyId}`, { token: partner.apiKey });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ id: companyId, status: 'cancelled', allocatedMb: 0 });
    const accounts = await readAllPages(partner.apiKey, `/v1/companies/${companyId}/accounts`, 10);
    expect(accounts.items.map((account) => account.status)).toEqual(['cancelled', 'cancelled']);
    expect((await getAccount(partner.apiKey, companyId, sub.account.id)).status).toBe('cancelled');
    const another = await postAccount(partner.apiKey, companyId, {
      username: uniqueName('late.'),
      plan: 'basic',
    });
    expect(another.status).toBe(409);
  });
});

describe('accounts as returned', () => {
  it('returns the account itself with every SPEC field and never a hash, answer or password', async () => {
    // Prepare
    const created = await pooledCompany();
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
    const reply = await call('GET', accountPath(companyId, sub.account.id), {
      token: partner.apiKey,
    });
    const list = await call('GET', `/v1/companies/${companyId}/accounts`, {
      token: partner.apiKey,
    });

    // Assess
    expect(reply.status).toBe(200);
    for (const field of ACCOUNT_FIELDS) expect(reply.body).toHaveProperty(field);
    expect(reply.body).toMatchObject({
      id: sub.account.id,
      companyId,
      kind: 'sub',
      hardQuotaMb: 5 * GB,
      userQuotaMb: 2048,
      effectiveQuotaMb: 2048,
      usedMb: 0,
      percentUsed: 0,
      ultraSafe: false,
      hasSecretQuestion: true,
      mustChangePassword: true,
      trialEndsAt: null,
    });
    expect(reply.body).not.toHaveProperty('account');
    for (const body of [reply.body, sub, list.body]) {
      const keys = allKeys(body);
      expect(keys.filter((key) => /hash|answer|salt/i.test(key))).toEqual([]);
      expect(keys.filter((key) => /^(password|temporaryPassword)$/i.test(key))).toEqual([]);
      const text = JSON.stringify(body);
      expect(text).not.toContain(password);
      expect(text.toLowerCase()).not.toContain(secretAnswer.toLowerCase());
      expect(text).not.toContain('scrypt');
    }
  });

  it('returns the company itself with every SPEC field', async () => {
    // Prepare
    const created = await createCompany(partner.apiKey, {
      quotaMb: 25 * GB,
      admin: { hardQuotaMb: 5 * GB },
      extra: { licenses: { egr: 2, spV5: 3 }, endGuard: true },
    });

    // Act
    const company = await getCompany(partner.apiKey, created.company.id);

    // Assess
    for (const field of COMPANY_FIELDS) expect(company).toHaveProperty(field);
    expect(company).toMatchObject({
      id: created.company.id,
      quotaMb: 25 * GB,
      allocatedMb: 5 * GB,
      freeMb: 20 * GB,
      usedMb: 0,
      accountCount: 1,
      licenses: { egr: 2, spV5: 3 },
      endGuard: true,
      status: 'active',
      adminAccountId: created.account.id,
    });
    expect(created.account.features).toMatchObject({
      endGuard: true,
      egrLicenses: 2,
      spV5Licenses: 3,
    });
  });

  it('refuses a secret question on an UltraSafe account and never lets ultraSafe change', async () => {
    // Prepare
    const created = await pooledCompany();
    const companyId = created.company.id;
    const safe = await createAccount(partner.apiKey, companyId, {
      parentId: created.account.id,
      ultraSafe: true,
    });

    // Act
    const withQuestion = await postAccount(partner.apiKey, companyId, {
      username: uniqueName('safe.'),
      parentId: created.account.id,
      ultraSafe: true,
      secretQuestion: 'Pet?',
      secretAnswer: 'Rex',
    });
    const flip = await call('PATCH', accountPath(companyId, safe.account.id), {
      token: partner.apiKey,
      body: { ultraSafe: false },
    });

    // Assess
    expect(safe.account.ultraSafe).toBe(true);
    expectProblem(withQuestion, 422, 'ULTRASAFE_NO_SECRET_QUESTION');
    expectProblem(flip, 409, 'ULTRASAFE_IMMUTABLE');
    expect((await getAccount(partner.apiKey, companyId, safe.account.id)).ultraSafe).toBe(true);
  });
});

describe('Idempotency-Key on account creation', () => {
  it('keeps no record of a refused request: a corrected retry with the same key is carried out', async () => {
    // Prepare
    const created = await pooledCompany();
    const companyId = created.company.id;
    const key = uniqueName('idem-retry-');
    const username = uniqueName('idem.retry.');

    // Act
    const refused = await call('POST', `/v1/companies/${companyId}/accounts`, {
      token: partner.apiKey,
      body: { username, parentId: created.account.id, hardQuotaMb: 7 * GB },
      headers: { 'idempotency-key': key },
    });
    const corrected = await call('POST', `/v1/companies/${companyId}/accounts`, {
      token: partner.apiKey,
      body: { username, parentId: created.account.id, hardQuotaMb: 10 * GB },
      headers: { 'idempotency-key': key },
    });

    // Assess
    expectProblem(refused, 422, 'QUOTA_NOT_ON_LADDER');
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(201);
    expect(corrected.body.account).toMatchObject({ username, hardQuotaMb: 10 * GB });
  });

  it('returns the first response for a repeat and refuses the key with another body', async () => {
    // Prepare
    const created = await pooledCompany();
    const companyId = created.company.id;
    const key = uniqueName('idem-');
    const username = uniqueName('idem.');
    const email = `${username}@idem.example`;
    const body = {
      username,
      parentId: created.account.id,
      contact: { fullName: 'Ida Empotent', email },
    };

    // Act
    const first = await call('POST', `/v1/companies/${companyId}/accounts`, {
      token: partner.apiKey,
      body,
      headers: { 'idempotency-key': key },
    });
    const repeat = await call('POST', `/v1/companies/${companyId}/accounts`, {
      token: partner.apiKey,
      body,
      headers: { 'idempotency-key': key },
    });
    const other = await call('POST', `/v1/companies/${companyId}/accounts`, {
      token: partner.apiKey,
      body: { ...body, username: uniqueName('idem.other.') },
      headers: { 'idempotency-key': key },
    });

    // Assess
    expect(first.status).toBe(201);
    expect(repeat.status).toBe(201);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.headers.get('content-type')).toMatch(/^application\/json/);
    // SPEC §3: every response carries x-request-id, a replayed one too.
    expect(repeat.headers.get('x-request-id'), 'x-request-id on the replay').toBeTruthy();
    expectProblem(other, 422, 'IDEMPOTENCY_KEY_REUSED');
    const company = await getCompany(partner.apiKey, companyId);
    expect(company).toMatchObject({ accountCount: 2, allocatedMb: 15 * GB });
    const accounts = await readAllPages(partner.apiKey, `/v1/companies/${companyId}/accounts`, 100);
    expect(accounts.items.filter((a) => a.username === username)).toHaveLength(1);
  });
});
