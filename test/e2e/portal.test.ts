/// <reference lib="dom" />
// Code in page.evaluate() runs in the page: it is typed by the DOM.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { codeAt } from '#lib/auth/totp.ts';
import { strongPassword, uniqueName } from '../support/builders.ts';
import { temporaryPasswordIn } from '../support/http-fixtures.ts';
import {
  api,
  call,
  cli,
  enrolStaff,
  newPartner,
  newPartnerWithOwner,
  type Partner,
  waitForEmail,
} from './helpers.ts';
import {
  auditedContext,
  expectAccessible,
  fieldErrorOf,
  launch,
  partnerContext,
} from './portal-browser.ts';

/**
 * The seed walk-throughs, clicked through the portal in Chromium: the partner creates HighTech
 * with a 10 GB pool, adds accounts, resizes, acts as the company admin and resumes, resets a
 * password; axe-core checks every screen on the way.
 */
let browser: Browser;
let close: () => Promise<void>;
let partner: Partner & { name: string };

beforeAll(async () => {
  ({ browser, close } = await launch());
  const name = `Portal Partner ${uniqueName('')}`;
  partner = { ...(await newPartner(name)), name };
}, 60_000);

afterAll(async () => {
  await close?.();
});

/**
 * expect.poll with room for a loaded machine: each step is a request through serverless-offline
 * (vitest's default of one second is less than one cold invocation).
 */
const poll = <T>(check: () => T | Promise<T>, options: { message?: string } = {}) =>
  expect.poll(check, { timeout: 20_000, interval: 100, ...options });

const usageRow = (page: Page, username: string) =>
  page
    .getByRole('table', { name: 'Backup Account Usage' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: new RegExp(username) }) });

/** The Events table's rows, and the text of one column of each. */
const eventRows = (page: Page) =>
  page.getByRole('table', { name: 'Events, oldest first' }).locator('tbody tr');
const eventColumn = (page: Page, column: number) =>
  eventRows(page).locator(`td:nth-child(${column})`).allInnerTexts();

/**
 * Clicks on through the feed ("Load more", or "Check for newer events" at its end) until the
 * check holds: an event is listed 5 s after it happened.
 */
async function readEventsUntil(page: Page, check: () => Promise<boolean>): Promise<void> {
  await expect
    .poll(
      async () => {
        if (await check()) return true;
        await page.getByRole('button', { name: /^(Load more|Check for newer events)$/ }).click();
        return false;
      },
      { timeout: 30_000, interval: 1000 },
    )
    .toBe(true);
}

describe('the partner portal in Chromium', () => {
  it('is served with the security headers on the API origin, and unknown paths get the app', async () => {
    const page = await fetch(`${api()}/companies/anything`);
    const asset = await fetch(`${api()}/missing.js`);
    const apiReply = await fetch(`${api()}/v1/companies`);

    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(asset.status).toBe(404);
    // The API's own problem documents pass through untouched (no rewrite to index.html).
    expect(apiReply.status).toBe(401);
    expect(apiReply.headers.get('content-type')).toContain('application/problem+json');
  });

  it('walks seed 004: HighTech with 10 GB, accounts, a resize, company admin and back, a reset', async () => {
    const context = await partnerContext(browser, partner);
    const page = await context.newPage();
    const suffix = uniqueName('');
    const company = `HighTech ${suffix}`;
    const admin = `hightech-${suffix}`;
    const sub1 = `sub1-${suffix}`;
    const sub2 = `sub2-${suffix}`;
    const basicParent = `basic-${suffix}`;
    const newContactEmail = `${sub2}@example.com`;

    // Companies, then the create form.
    await page.goto(`${api()}/`);
    await poll(() => page.getByRole('heading', { name: 'Companies' }).isVisible()).toBe(true);
    await expectAccessible(page, 'Companies');
    await page.getByRole('link', { name: 'Add New Company' }).click();
    await page.getByRole('heading', { name: 'Create Company With Admin Backup Account' }).waitFor();
    await expectAccessible(page, 'Create Company');
    await page.getByLabel('Company Name').fill(company);
    await page.getByLabel('Quota In GB').selectOption('10');
    await page.getByLabel('EGR Licenses').fill('2');
    await page.getByLabel('Full Name').fill('Hi Tech Admin');
    await page.getByLabel('Email').fill(`admin-${suffix}@example.com`);
    await page.getByLabel('Username').fill(admin);
    await page.getByLabel('Is Ultrasafe?').check();
    expect(await page.getByLabel('Secret Question').isDisabled()).toBe(true);
    expect(await page.getByLabel('Secret Answer').isDisabled()).toBe(true);
    await page.getByLabel('Is Ultrasafe?').uncheck();
    await page.getByLabel('Plan').selectOption('select');
    await page.getByRole('button', { name: 'Create', exact: true }).click();

    // The company's page: the admin account holds the whole 10 GB pool.
    await page.getByRole('heading', { name: company }).waitFor();
    await poll(() => usageRow(page, admin).innerText()).toContain('10 GB');
    await expectAccessible(page, 'Company');

    // The pool grows to 25 GB, so three more 5 GB accounts fit.
    await page.getByLabel('Quota In GB').selectOption('25');
    await page.getByRole('button', { name: 'Resize Pool' }).click();
    await page.getByRole('status').filter({ hasText: 'Pool resized.' }).waitFor();

    // A refused create shows the problem's detail next to the field it names.
    await page.getByRole('button', { name: 'Create Account' }).click();
    await expectAccessible(page, 'Create Account');
    await page.getByLabel('Username').fill(admin);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await poll(() => fieldErrorOf(page, 'Username')).toMatch(/taken/i);

    // A sub-account under the admin, with the existing contact.
    await page.getByLabel('Username').fill(sub1);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await usageRow(page, sub1).waitFor();

    // A sub-account with a new contact (no password: a temporary one is e-mailed to it).
    await page.getByRole('button', { name: 'Create Account' }).click();
    await page.getByLabel('New Contact').check();
    await page.getByLabel('Full Name').fill('Second Person');
    await page.getByLabel('Email').fill(newContactEmail);
    await page.getByLabel('Username').fill(sub2);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await usageRow(page, sub2).waitFor();
    await waitForEmail(newContactEmail, { subject: `Your backup account ${sub2} is ready` });

    // A second parent, "(none)", for another plan.
    await page.getByRole('button', { name: 'Create Account' }).click();
    await page.getByLabel('Parent Account').selectOption({ label: '(none)' });
    await page.getByLabel('Plan').selectOption('basic');
    await page.getByLabel('Username').fill(basicParent);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await usageRow(page, basicParent).waitFor();
    expect(await usageRow(page, basicParent).innerText()).toContain('basic');

    // Sub-accounts are listed under their parent, the second parent after them.
    const names = await page
      .getByRole('table', { name: 'Backup Account Usage' })
      .locator('tbody th')
      .allInnerTexts();
    const order = [admin, sub1, sub2, basicParent].map((n) =>
      names.findIndex((text) => text.includes(n)),
    );
    const [adminAt, sub1At, sub2At, basicAt] = order as [number, number, number, number];
    expect([sub1At, sub2At].sort()).toEqual([adminAt + 1, adminAt + 2]);
    expect(basicAt === adminAt - 1 || basicAt === adminAt + 3).toBe(true);

    // Change Account Size: the admin from 10 GB to 5 GB, refused first when the pool is full.
    await page.getByRole('button', { name: `Manage ${admin}` }).click();
    await page.getByRole('button', { name: 'Change Account Size' }).click();
    await page.getByLabel('Size In GB').selectOption('50');
    await page.getByRole('button', { name: 'Save Size' }).click();
    // POOL_EXCEEDED names no field: its detail is shown with the form.
    await page
      .getByRole('alert')
      .filter({ hasText: /pool has \d+ MB free/ })
      .waitFor();
    await page.getByLabel('Size In GB').selectOption('5');
    await page.getByRole('button', { name: 'Save Size' }).click();
    await page.getByRole('status').filter({ hasText: 'The account was resized.' }).waitFor();
    await poll(() => usageRow(page, admin).innerText()).toContain('5 GB');
    await expectAccessible(page, 'Account actions');

    // Reset Password: the contact of sub2 gets a new temporary password by e-mail.
    await page.getByRole('button', { name: `Manage ${sub2}` }).click();
    await page.getByRole('button', { name: 'Reset Password' }).click();
    await page.getByRole('button', { name: 'Send Temporary Password' }).click();
    await page.getByRole('status').filter({ hasText: 'temporary password was e-mailed' }).waitFor();
    const reset = await waitForEmail(newContactEmail, {
      subject: `New temporary password for ${sub2}`,
    });
    expect(temporaryPasswordIn(reset)).toMatch(/\S{8,}/);

    // Login as Company Admin, then resume as the partner.
    await page.getByRole('button', { name: 'Login as Company Admin' }).click();
    const banner = page.getByRole('button', {
      name: `Click here to resume session as ${partner.name}`,
    });
    await banner.waitFor();
    await page.getByRole('heading', { name: company }).waitFor();
    expect(await page.getByRole('link', { name: 'Companies' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Events' }).count()).toBe(0);
    await expectAccessible(page, 'Company admin dashboard');
    await banner.click();
    await page.getByRole('heading', { name: 'Companies' }).waitFor();
    await poll(() => page.getByRole('link', { name: company }).count()).toBe(1);

    // The companies table: the row's figures, and the search.
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: company }) });
    expect(await row.innerText()).toMatch(/25 GB\s+20 GB/);
    await page.getByLabel('Search').fill('no such company anywhere');
    expect(await page.getByRole('link', { name: company }).count()).toBe(0);
    await context.close();
  });

  it('fills the create forms by keyboard alone, under the served CSP', async () => {
    const context = await partnerContext(browser, partner, { axe: false });
    const refused: string[] = [];
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
    });
    const suffix = uniqueName('');
    const company = `Keyboard ${suffix}`;
    await page.goto(`${api()}/companies/new`);
    await page.getByRole('heading', { name: 'Create Company With Admin Backup Account' }).waitFor();
    // From the heading (focused on each new screen), Tab walks the form in order.
    const typeInto = async (label: string, text: string) => {
      for (let i = 0; i < 40; i += 1) {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          return el?.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null;
        });
        if (focused === label) {
          await page.keyboard.type(text);
          return;
        }
      }
      throw new Error(`Tab never reached ${label}`);
    };
    await typeInto('Company Name', company);
    await typeInto('Full Name', 'Key Board');
    await typeInto('Email', `kb-${suffix}@example.com`);
    await typeInto('Username', `kb-${suffix}`);
    // Enter submits the form from its last field.
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: company }).waitFor();

    // Create Account by keyboard: the button, then the fields, then Enter.
    await page.getByRole('button', { name: 'Create Account' }).focus();
    await page.keyboard.press('Enter');
    await typeInto('Username', `kb2-${suffix}`);
    await page.keyboard.press('Enter');
    await usageRow(page, `kb2-${suffix}`).waitFor();
    expect(refused).toEqual([]);
    await context.close();
  });

  it('signs a company admin and a backup user in with their username, each on its own screen', async () => {
    const suffix = uniqueName('');
    const adminPassword = strongPassword('Adm');
    const userPassword = strongPassword('Usr');
    const created = await call('POST', '/v1/companies', {
      token: partner.apiKey,
      body: {
        name: `SignIn ${suffix}`,
        contact: { fullName: 'Sign In', email: `signin-${suffix}@example.com` },
        admin: { username: `adm-${suffix}@example.com`, plan: 'select', password: adminPassword },
      },
    });
    expect(created.status).toBe(201);
    const companyId = (created.body as { company: { id: string } }).company.id;
    const sub = await call('POST', `/v1/companies/${companyId}/accounts`, {
      token: partner.apiKey,
      body: { username: `usr-${suffix}`, plan: 'basic', password: userPassword },
    });
    expect(sub.status).toBe(201);

    const signIn = async (username: string, password: string) => {
      const context = await auditedContext(browser);
      const page = await context.newPage();
      await page.goto(`${api()}/`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.getByLabel('Company admin or backup user').check();
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      // The temporary password is replaced first.
      await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
      await expectAccessible(page, 'Choose a new password');
      const fresh = strongPassword('New');
      await page.getByLabel('Current Password').fill(password);
      await page.getByLabel('New Password', { exact: true }).fill(fresh);
      await page.getByLabel('Confirm New Password').fill(fresh);
      await page.getByRole('button', { name: 'Change Password' }).click();
      return { context, page };
    };

    // A wrong password: the problem's detail is shown.
    {
      const context = await auditedContext(browser);
      const page = await context.newPage();
      await page.goto(`${api()}/`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await expectAccessible(page, 'Sign in');
      await page.getByLabel('Company admin or backup user').check();
      await page.getByLabel('Username').fill(`usr-${suffix}`);
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').innerText()).toMatch(/\S/);
      await context.close();
    }

    const asAdmin = await signIn(`adm-${suffix}@example.com`, adminPassword);
    await asAdmin.page.getByRole('heading', { name: `SignIn ${suffix}` }).waitFor();
    await usageRow(asAdmin.page, `usr-${suffix}`).waitFor();
    expect(await asAdmin.page.getByRole('button', { name: 'Login as Company Admin' }).count()).toBe(
      0,
    );
    // The event feed is the partner's: no link, and its address leads back to the dashboard.
    expect(await asAdmin.page.getByRole('link', { name: 'Events' }).count()).toBe(0);
    await asAdmin.page.goto(`${api()}/events`);
    await asAdmin.page.getByRole('heading', { name: `SignIn ${suffix}` }).waitFor();
    expect(await asAdmin.page.getByRole('heading', { name: 'Events' }).count()).toBe(0);
    // Sign-out ends the session: a reload shows the sign-in page.
    await asAdmin.page.getByRole('button', { name: 'Sign out' }).click();
    await asAdmin.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await asAdmin.page.reload();
    await asAdmin.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await asAdmin.context.close();

    const asUser = await signIn(`usr-${suffix}`, userPassword);
    await asUser.page.getByRole('heading', { name: 'My Account' }).waitFor();
    await expectAccessible(asUser.page, 'My Account');
    await asUser.page.getByLabel('User Quota In GB').fill('2');
    await asUser.page.getByRole('button', { name: 'Save Quota' }).click();
    await asUser.page.getByRole('status').filter({ hasText: 'user quota was saved' }).waitFor();
    await poll(() => asUser.page.locator('dl').innerText()).toMatch(/Effective quota\s+2 GB/);
    await asUser.context.close();
  });

  it('shows the audit log of what the partner did, and no staff pages to a key', async () => {
    const context = await partnerContext(browser, partner);
    const page = await context.newPage();
    await page.goto(`${api()}/companies`);
    await page.getByRole('heading', { name: 'Companies' }).waitFor();
    expect(await page.getByRole('link', { name: 'Staff' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'API Keys' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Audit Log' }).click();
    await page.getByRole('heading', { name: 'Audit Log' }).waitFor();
    await page.getByRole('table').waitFor();
    // The walk-through above wrote entries: the company it created is among them.
    expect(await page.getByRole('row').count()).toBeGreaterThan(5);
    expect(await page.getByRole('table').innerText()).toContain('company');
    await expectAccessible(page, 'Audit Log');
    await context.close();
  });

  it('takes a staff owner from the temporary password through TOTP enrolment to keys and staff', async () => {
    // The member is written to the e2e stack's table as an owner's invitation would leave it.
    process.env.TABLE_NAME = 'backup-provisioning-local';
    process.env.DYNAMODB_ENDPOINT = inject('dynamoDbUrl');
    const { staffWithPassword } = await import('../support/builders.ts');
    const member = await staffWithPassword(partner.partnerId, { role: 'owner' });

    const context = await auditedContext(browser);
    const page = await context.newPage();
    await page.goto(`${api()}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // "Partner staff" is the default choice: the first field is the e-mail.
    await page.getByLabel('Email').fill(member.email);
    await page.getByLabel('Password').fill(member.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    const password = strongPassword('Own');
    await page.getByLabel('Current Password').fill(member.password);
    await page.getByLabel('New Password', { exact: true }).fill(password);
    await page.getByLabel('Confirm New Password').fill(password);
    await page.getByRole('button', { name: 'Change Password' }).click();

    // TOTP enrolment: the QR code and the URL as text, then a code, then ten codes shown once.
    await page.getByRole('heading', { name: 'Set up two-factor sign-in' }).waitFor();
    await page.getByRole('img', { name: /QR code/ }).waitFor();
    await expectAccessible(page, 'TOTP enrolment');
    const url = new URL((await page.locator('code', { hasText: 'otpauth://' }).innerText()).trim());
    const secret = url.searchParams.get('secret') as string;
    expect(secret).toMatch(/^[A-Z2-7]+=*$/);
    await page.getByLabel('Authentication code').fill('000000');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await poll(() => fieldErrorOf(page, 'Authentication code')).toMatch(/\S/);
    await page.getByLabel('Authentication code').fill(codeAt(secret, Date.now()));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'Recovery codes' }).waitFor();
    expect(await page.getByRole('list', { name: 'Recovery codes' }).locator('li').count()).toBe(10);
    await expectAccessible(page, 'Recovery codes');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByRole('heading', { name: 'Companies' }).waitFor();

    // API keys: a new key shown once, working, then revoked.
    await page.getByRole('link', { name: 'API Keys' }).click();
    await page.getByRole('heading', { name: 'API Keys', exact: true }).waitFor();
    await expectAccessible(page, 'API Keys');
    const keyName = `ci-${uniqueName('')}`;
    await page.getByLabel('Key Name').fill(keyName);
    await page.getByLabel('Scope').selectOption('read');
    await page.getByRole('button', { name: 'Create Key' }).click();
    const shown = (await page.getByTestId('new-key').innerText()).trim();
    expect((await call('GET', '/v1/companies', { token: shown })).status).toBe(200);
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByTestId('new-key').count()).toBe(0);
    expect(await page.content()).not.toContain(shown);
    await page.getByRole('button', { name: `Revoke ${keyName}` }).click();
    await poll(() => page.getByRole('row').filter({ hasText: keyName }).innerText()).toContain(
      'revoked',
    );
    expect((await call('GET', '/v1/companies', { token: shown })).status).toBe(401);

    // Staff: invite, change the role, remove.
    await page.getByRole('link', { name: 'Staff' }).click();
    await page.getByRole('heading', { name: 'Staff', exact: true }).waitFor();
    await expectAccessible(page, 'Staff');
    const email = `staff-${uniqueName('')}@example.com`;
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Full Name').fill('New Operator');
    await page.getByLabel('Role', { exact: true }).selectOption('operator');
    await page.getByRole('button', { name: 'Invite' }).click();
    await page.getByRole('row').filter({ hasText: email }).waitFor();
    await page.getByLabel(`Role of ${email}`).selectOption('billing');
    // The portal's own session, as stored: the API says what the clicks changed.
    const token = await page.evaluate(
      () => JSON.parse(sessionStorage.getItem('portal.session') as string).token as string,
    );
    const invitee = async () =>
      ((await call('GET', '/v1/staff?limit=100', { token })).body as any).items.find(
        (one: { email: string }) => one.email === email,
      );
    await poll(async () => (await invitee())?.role).toBe('billing');
    await page.getByRole('button', { name: `Remove ${email}` }).click();
    await poll(async () => (await invitee())?.status ?? 'gone', {
      message: await page
        .locator('.error')
        .allInnerTexts()
        .then((t) => t.join(' ')),
    }).not.toBe('active');
    await poll(() => page.getByRole('button', { name: `Remove ${email}` }).count()).toBe(0);

    // Sign out, then back in: the second login asks for the authentication code.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').fill(member.email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Authentication code').waitFor();
    expect(await fieldErrorOf(page, 'Authentication code')).toMatch(/code/i);
    await page.getByLabel('Authentication code').fill(codeAt(secret, Date.now() + 30_000));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Companies' }).waitFor();

    // An expired session ends: the sign-in page is back on the next load.
    await page.evaluate(() => {
      const stored = JSON.parse(sessionStorage.getItem('portal.session') as string);
      sessionStorage.setItem(
        'portal.session',
        JSON.stringify({ ...stored, expiresAt: new Date(Date.now() - 1000).toISOString() }),
      );
    });
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await context.close();
  });

  it('shows each staff role only what it may do: billing reads, operators provision, neither manages staff', async () => {
    process.env.TABLE_NAME = 'backup-provisioning-local';
    process.env.DYNAMODB_ENDPOINT = inject('dynamoDbUrl');
    const { staffWithPassword } = await import('../support/builders.ts');
    const company = `Roles ${uniqueName('')}`;
    const created = await call('POST', '/v1/companies', {
      token: partner.apiKey,
      body: {
        name: company,
        contact: { fullName: 'Role Play', email: `roles-${uniqueName('')}@example.com` },
        admin: { username: `roles-${uniqueName('')}`, plan: 'select' },
      },
    });
    expect(created.status).toBe(201);
    /** A member through the API's own steps: login, password change, TOTP enrolment. */
    const enrolled = async (role: 'operator' | 'billing') => {
      const member = await staffWithPassword(partner.partnerId, { role });
      const first = await call('POST', '/v1/auth/staff/login', {
        body: { email: member.email, password: member.password },
      });
      const changed = await call('POST', '/v1/auth/password', {
        token: (first.body as { token: string }).token,
        body: { currentPassword: member.password, newPassword: strongPassword('Rol') },
      });
      const token = (changed.body as { token: string }).token;
      const setup = await call('POST', '/v1/auth/mfa/setup', { token });
      const confirmed = await call('POST', '/v1/auth/mfa/confirm', {
        token,
        body: { code: codeAt((setup.body as { secret: string }).secret, Date.now()) },
      });
      expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
      return { token, email: member.email };
    };
    const viewAs = async (role: 'operator' | 'billing') => {
      const { token, email } = await enrolled(role);
      const context = await auditedContext(browser);
      await context.addInitScript(
        (value) => sessionStorage.setItem('portal.session', value),
        JSON.stringify({
          token,
          expiresAt: null,
          kind: 'partner',
          role,
          label: email,
          mfaEnrolled: true,
        }),
      );
      const page = await context.newPage();
      await page.goto(`${api()}/companies`);
      await page.getByRole('heading', { name: 'Companies' }).waitFor();
      await page.getByRole('link', { name: company }).waitFor();
      return { context, page };
    };

    const billing = await viewAs('billing');
    expect(await billing.page.getByRole('link', { name: 'Add New Company' }).count()).toBe(0);
    expect(await billing.page.getByRole('link', { name: 'Staff' }).count()).toBe(0);
    expect(await billing.page.getByRole('link', { name: 'API Keys' }).count()).toBe(0);
    await billing.page.getByRole('link', { name: company }).click();
    await billing.page.getByRole('heading', { name: 'Backup Account Usage' }).waitFor();
    expect(await billing.page.getByRole('button', { name: /^Manage / }).count()).toBe(0);
    expect(await billing.page.getByRole('button', { name: 'Create Account' }).count()).toBe(0);
    expect(await billing.page.getByRole('button', { name: 'Login as Company Admin' }).count()).toBe(
      0,
    );
    await expectAccessible(billing.page, 'Company, billing');
    // Billing reads the event feed too: the company made above is among its company.created.
    await billing.page.getByRole('link', { name: 'Events' }).click();
    await billing.page.getByRole('heading', { name: 'Events' }).waitFor();
    await billing.page.getByLabel('Event Type').selectOption('company.created');
    await readEventsUntil(billing.page, async () =>
      (await eventColumn(billing.page, 3)).includes(company),
    );
    expect(new Set(await eventColumn(billing.page, 2))).toEqual(new Set(['company.created']));
    await billing.context.close();

    const operator = await viewAs('operator');
    expect(await operator.page.getByRole('link', { name: 'Add New Company' }).count()).toBe(1);
    expect(await operator.page.getByRole('link', { name: 'Staff' }).count()).toBe(0);
    expect(await operator.page.getByRole('link', { name: 'API Keys' }).count()).toBe(0);
    await operator.page.getByRole('link', { name: company }).click();
    await operator.page.getByRole('heading', { name: 'Backup Account Usage' }).waitFor();
    expect(await operator.page.getByRole('button', { name: /^Manage / }).count()).toBeGreaterThan(
      0,
    );
    expect(
      await operator.page.getByRole('button', { name: 'Login as Company Admin' }).count(),
    ).toBe(1);
    await operator.context.close();
  });

  it('lists the events of what was done, pages on with the cursor, filters by type, shows the data', async () => {
    // A partner of its own, so the feed holds exactly what this test did.
    const name = `Events Partner ${uniqueName('')}`;
    const own = { ...(await newPartner(name)), name };
    const suffix = uniqueName('');
    // Twelve companies through the API: 24 events, so the portal's own company ends on page two.
    for (let i = 0; i < 12; i += 1) {
      const made = await call('POST', '/v1/companies', {
        token: own.apiKey,
        body: {
          name: `Bulk ${i} ${suffix}`,
          contact: { fullName: 'Bulk Contact', email: `bulk-${i}-${suffix}@example.com` },
          admin: { username: `bulk-${i}-${suffix}`, plan: 'select' },
        },
      });
      expect(made.status).toBe(201);
    }
    const context = await partnerContext(browser, own);
    const page = await context.newPage();
    const company = `Evented ${suffix}`;
    const admin = `evented-${suffix}`;
    await page.goto(`${api()}/companies/new`);
    await page.getByRole('heading', { name: 'Create Company With Admin Backup Account' }).waitFor();
    await page.getByLabel('Company Name').fill(company);
    await page.getByLabel('Full Name').fill('Event Admin');
    await page.getByLabel('Email').fill(`evented-${suffix}@example.com`);
    await page.getByLabel('Username').fill(admin);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: company }).waitFor();
    // The feed lists an event 5 s after it happened: wait until all 26 are there.
    await expect
      .poll(
        async () =>
          ((await call('GET', '/v1/events?limit=100', { token: own.apiKey })).body as any).items
            .length,
        { timeout: 30_000, interval: 1000 },
      )
      .toBe(26);

    // The first page holds the 25 oldest; Load more goes on from its cursor.
    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByRole('heading', { name: 'Events' }).waitFor();
    await poll(() => eventRows(page).count()).toBe(25);
    await page
      .getByRole('link', { name: `Bulk 0 ${suffix}`, exact: true })
      .first()
      .waitFor();
    // 24 events of the bulk companies, then one of the portal's company: its other is on page two.
    expect((await eventColumn(page, 3)).filter((text) => text === company)).toHaveLength(1);
    await page.getByRole('button', { name: 'Load more' }).click();
    await poll(() => eventRows(page).count()).toBe(26);
    await page.getByRole('button', { name: 'Check for newer events' }).waitFor();
    const ours = eventRows(page).filter({
      has: page.getByRole('link', { name: company, exact: true }),
    });
    // The Company column names the company once the companies are read.
    await poll(async () => (await ours.locator('td:nth-child(2)').allInnerTexts()).sort()).toEqual([
      'account.created',
      'company.created',
    ]);
    expect(await ours.filter({ hasText: 'account.created' }).innerText()).toContain(admin);
    expect(await ours.first().locator('td:nth-child(5)').innerText()).toMatch(/^key:/);

    // The data by keyboard: the disclosure opens with Enter and shows the event's JSON.
    const created = ours.filter({ hasText: 'company.created' });
    await created.locator('summary').focus();
    await page.keyboard.press('Enter');
    const data = created.locator('pre');
    await data.waitFor();
    expect(JSON.parse(await data.innerText()).company.name).toBe(company);
    await expectAccessible(page, 'Events');

    // The type filter keeps the chosen type only: the thirteen admin accounts.
    await page.getByLabel('Event Type').selectOption('account.created');
    await poll(() => eventRows(page).count()).toBe(13);
    expect(new Set(await eventColumn(page, 2))).toEqual(new Set(['account.created']));
    expect(await eventColumn(page, 4)).toContain(admin);
    await page.getByLabel('Event Type').selectOption('');
    await poll(() => eventRows(page).count()).toBe(25);
    await context.close();
  });

  it("offers the quota sizes of the partner's own ladder, fine increments included", async () => {
    const name = `Fine Partner ${uniqueName('')}`;
    const fine = await cli('partner:create', '--name', name, '--fine-increments');
    const offered = async (who: { apiKey: string; name: string }) => {
      const context = await partnerContext(browser, who, { axe: false });
      const page = await context.newPage();
      await page.goto(`${api()}/companies/new`);
      const quota = page.getByLabel('Quota In GB');
      // The sizes come from GET /v1/partner: wait for them.
      await quota.locator('option[value="200"]').waitFor({ state: 'attached' });
      const values = await quota
        .locator('option')
        .evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
      await context.close();
      return values;
    };
    const fineSizes = await offered({ apiKey: fine.apiKey as string, name });
    const plainSizes = await offered(partner);
    expect(fineSizes.slice(0, 9)).toEqual(['', '5', '10', '25', '50', '100', '150', '200', '250']);
    expect(plainSizes.slice(0, 8)).toEqual(['', '5', '10', '25', '50', '100', '200', '300']);
  });

  it('suspends and reactivates an account and its company, and shows the admin why it cannot write', async () => {
    const suffix = uniqueName('');
    const company = `Suspended ${suffix}`;
    const admin = `susp-${suffix}`;
    const created = await call('POST', '/v1/companies', {
      token: partner.apiKey,
      body: {
        name: company,
        contact: { fullName: 'Sus Pended', email: `susp-${suffix}@example.com` },
        admin: { username: admin, plan: 'select' },
      },
    });
    expect(created.status).toBe(201);
    const companyId = (created.body as { company: { id: string } }).company.id;
    const context = await partnerContext(browser, partner);
    const page = await context.newPage();
    const companyGroup = page.getByRole('region', { name: 'Suspension of the company' });
    const accountGroup = page.getByRole('region', { name: 'Suspension of the account' });
    const actions = page.getByRole('region', { name: `Account ${admin}` });

    // The account, for non-payment: its row and its panel say so, and backups stop.
    await page.goto(`${api()}/companies/${companyId}`);
    await page.getByRole('heading', { name: company }).waitFor();
    await page.getByRole('button', { name: `Manage ${admin}` }).click();
    await accountGroup.getByRole('button', { name: 'Suspend' }).click();
    await accountGroup.getByLabel('Suspension Reason').selectOption('non_payment');
    await expectAccessible(page, 'Suspend account');
    await accountGroup.getByRole('button', { name: 'Suspend account' }).click();
    await poll(() => usageRow(page, admin).innerText()).toContain('suspended (Non-payment)');
    await poll(() => actions.innerText()).toContain('backups not allowed');

    // The company, by hand: the Companies table's Status shows it.
    await companyGroup.getByRole('button', { name: 'Suspend' }).click();
    await companyGroup.getByLabel('Suspension Reason').selectOption('manual');
    await companyGroup.getByRole('button', { name: 'Suspend company' }).click();
    await poll(() => companyGroup.innerText()).toContain('Suspended since');
    await page.goto(`${api()}/companies`);
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: company }) });
    await poll(() => row.innerText()).toContain('suspended (Manual)');

    // The company admin reads why, and a write is refused with the API's detail.
    await page.getByRole('link', { name: company }).click();
    await page.getByRole('button', { name: 'Login as Company Admin' }).click();
    await page.getByRole('note').filter({ hasText: 'This company is suspended' }).waitFor();
    await expectAccessible(page, 'Suspended company admin dashboard');
    await page.getByRole('button', { name: 'Create Account' }).click();
    await page.getByLabel('Username').fill(`blocked-${suffix}`);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'The company is suspended: its admin can read but not change anything' })
      .waitFor();
    await page
      .getByRole('button', { name: `Click here to resume session as ${partner.name}` })
      .click();
    await page.getByRole('heading', { name: 'Companies' }).waitFor();

    // The account's Reactivate offers its own reason only: the company's comes off on the company.
    await page.goto(`${api()}/companies/${companyId}`);
    await page.getByRole('button', { name: `Manage ${admin}` }).click();
    await poll(() => accountGroup.innerText()).toContain('The company’s reasons (Manual)');
    await accountGroup.getByRole('button', { name: 'Reactivate' }).click();
    const removable = accountGroup.getByLabel('Reason To Remove').locator('option');
    expect(await removable.allInnerTexts()).toEqual(['Non-payment']);

    // Reactivating takes each reason off: the company, then the account, are active again.
    await page.goto(`${api()}/companies/${companyId}`);
    await companyGroup.getByRole('button', { name: 'Reactivate' }).click();
    await companyGroup.getByRole('button', { name: 'Reactivate company' }).click();
    await poll(() => companyGroup.innerText()).not.toContain('Suspended since');
    await page.getByRole('button', { name: `Manage ${admin}` }).click();
    await accountGroup.getByRole('button', { name: 'Reactivate' }).click();
    expect(await accountGroup.getByLabel('Reason To Remove').inputValue()).toBe('non_payment');
    await accountGroup.getByRole('button', { name: 'Reactivate account' }).click();
    await poll(() => actions.innerText()).toContain('backups allowed');
    await poll(() => usageRow(page, admin).innerText()).not.toContain('suspended');
    await context.close();
  });

  it('registers a webhook endpoint, shows its secret once, sends a test event and logs its delivery', async () => {
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      received.push(String(req.headers['webhook-id']));
      req.resume();
      req.on('end', () => {
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
      const ownerEmail = `${uniqueName('portal.hooks.')}@example.com`;
      await newPartnerWithOwner(`Hooks Portal ${uniqueName('')}`, ownerEmail);
      const owner = await enrolStaff(ownerEmail);
      const context = await auditedContext(browser);
      await context.addInitScript(
        (value) => sessionStorage.setItem('portal.session', value),
        JSON.stringify({
          token: owner.token,
          expiresAt: null,
          kind: 'partner',
          role: 'owner',
          label: ownerEmail,
          mfaEnrolled: true,
        }),
      );
      const page = await context.newPage();
      await page.goto(`${api()}/companies`);
      await page.getByRole('link', { name: 'Webhooks' }).click();
      await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
      await expectAccessible(page, 'Webhooks');

      // A refused URL shows the detail at the field; then a receiver of the local stage.
      await page.getByLabel('URL').fill('https://10.0.0.1/hooks');
      await page.getByRole('button', { name: 'Register Endpoint' }).click();
      await poll(() => fieldErrorOf(page, 'URL')).not.toBe('');
      await page.getByLabel('URL').fill(url);
      await page.getByLabel('Description').fill('PSA');
      await page.getByLabel('webhook.test').check();
      await page.getByRole('button', { name: 'Register Endpoint' }).click();
      const secret = page.getByTestId('webhook-secret');
      await poll(() => secret.innerText()).toMatch(/^whsec_/);
      const first = await secret.innerText();
      await page.getByRole('button', { name: 'Done' }).click();
      expect(await page.getByText(first).count()).toBe(0);
      const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: url }) });
      expect(await row.innerText()).toMatch(/PSA\s+webhook\.test\s+enabled/);

      // The test event reaches the receiver and shows in the delivery log as delivered.
      await page.getByRole('button', { name: `Send Test to ${url}` }).click();
      await poll(() => received.length).toBe(1);
      await page.getByRole('button', { name: `Deliveries of ${url}` }).click();
      const log = page.getByRole('table', { name: `Deliveries to ${url}` });
      await poll(async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        return log.innerText();
      }).toMatch(/webhook\.test\s+delivered\s+1\s+204/);
      expect(await log.innerText()).toContain(received[0]);
      await expectAccessible(page, 'Webhook deliveries');

      // Rotating shows a new secret, once; disabling shows in the Status column.
      await page.getByRole('button', { name: `Rotate Secret of ${url}` }).click();
      await poll(() => secret.innerText()).toMatch(/^whsec_/);
      expect(await secret.innerText()).not.toBe(first);
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('button', { name: `Disable ${url}` }).click();
      await poll(() => row.innerText()).toContain('disabled');
      await context.close();
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
